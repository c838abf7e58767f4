#include "shopwatch/agent/insights/page_audit.h"

namespace shopwatch::agent::insights {

const char* resourceKindName(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::Page:
      return "page";
    case ResourceKind::Stylesheet:
      return "stylesheet";
    case ResourceKind::Script:
      return "script";
    case ResourceKind::Image:
      return "image";
    case ResourceKind::Font:
      return "font";
    case ResourceKind::Other:
      break;
  }
  return "other";
}

}  // namespace shopwatch::agent::insights
