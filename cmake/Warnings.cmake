# shopwatch_options: an interface target with the warnings (as errors with SHOPWATCH_WERROR) and sanitizers.
add_library(shopwatch_options INTERFACE)
target_compile_options(shopwatch_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
  -Wimplicit-fallthrough)
# -Wnull-dereference is left out: GCC 12 reports false positives inside libstdc++ and Asio at -O2.
# GCC 12 also reports -Wrestrict / -Wstringop-overflow false positives inside std::string at -O3
# (GCC bug 105329, 105651): -Wrestrict is off, the others stay warnings but not errors.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(shopwatch_options INTERFACE -Wno-restrict -Wno-error=stringop-overflow
    -Wno-error=array-bounds)
endif()
if(SHOPWATCH_WERROR)
  target_compile_options(shopwatch_options INTERFACE -Werror)
endif()
if(SHOPWATCH_SANITIZE)
  target_compile_options(shopwatch_options INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(shopwatch_options INTERFACE -fsanitize=address,undefined)
endif()

option(SHOPWATCH_TSAN "Build with ThreadSanitizer (scripts/long-checks.sh)" OFF)
if(SHOPWATCH_TSAN)
  if(SHOPWATCH_SANITIZE)
    message(FATAL_ERROR "SHOPWATCH_TSAN and SHOPWATCH_SANITIZE cannot be combined")
  endif()
  target_compile_options(shopwatch_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(shopwatch_options INTERFACE -fsanitize=thread)
endif()
