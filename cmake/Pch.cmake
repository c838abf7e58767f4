# Precompiled headers for the heavy third-party headers (STYLE.md, "Build time"): each library and
# test executable parses them once instead of once per translation unit.
option(SHOPWATCH_PCH "Precompile the heavy third-party headers" ON)

# The standard headers nearly every translation unit includes.
set(SHOPWATCH_PCH_STD <chrono> <functional> <map> <memory> <optional> <string> <string_view> <vector>)

# shopwatch_precompile(<target> <header>...): the standard set plus the given headers.
function(shopwatch_precompile target)
  if(SHOPWATCH_PCH)
    target_precompile_headers(${target} PRIVATE ${SHOPWATCH_PCH_STD} ${ARGN})
  endif()
endfunction()
