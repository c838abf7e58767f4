#pragma once
/// The assets a browser fetches for a page, read from its HTML (for the response audits), and the
/// URL rules that go with them. Pure functions: no I/O, thread-safe; parsing a large page can take
/// milliseconds (keep it off the engine's event thread).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopwatch::probes {

/// What an asset is to the page, from the tag that names it.
enum class AssetKind { Stylesheet, Script, Image, Font, Other };

struct PageAsset {
  std::string url;  ///< absolute http(s) URL without fragment
  AssetKind kind = AssetKind::Other;
};

/// The assets `html` names, in document order, at most `max_assets`:
/// - Stylesheet: `<link rel=stylesheet href>` (not `rel="alternate stylesheet"`), and
///   `<link rel=preload href as=style>`; `as=script|font|image` give Script, Font, Image (other
///   `as` values are left out).
/// - Script: `<script src>` unless `nomodule` or a `type` that is not JavaScript or "module".
/// - Image: `<img>`: the first candidate of its `srcset` when it has one, else its `src` (a
///   browser fetches one image per element, so the two are not both counted).
/// Content of `<template>` and `<noscript>` is ignored. URLs are trimmed and resolved against
/// the document's first `<base href>` (itself resolved against `base_url`), else `base_url` (the
/// page's final URL): relative, path-absolute and scheme-relative references work. Dropped:
/// anything that is not http(s) after resolution (data:, javascript:, blob:, mailto:, ...),
/// fragment-only references, unparsable ones, and repeats of a URL already listed (the first
/// wins; fragments do not make URLs differ).
std::vector<PageAsset> extractAssets(std::string_view html, std::string_view base_url,
                                     std::size_t max_assets);

/// `reference` resolved against the absolute URL `base` (see extractAssets), without fragment;
/// nullopt unless the result is an http(s) URL.
std::optional<std::string> resolveUrl(std::string_view base, std::string_view reference);

/// The parts of an absolute http(s) URL that decide where it connects.
struct UrlHost {
  std::string scheme;  ///< "http" or "https"
  std::string host;    ///< lower-case, IPv6 without brackets
  std::string port;    ///< explicit, else the scheme's default
};
/// nullopt when `url` does not parse or is not http(s).
std::optional<UrlHost> urlHost(std::string_view url);

}  // namespace shopwatch::probes
