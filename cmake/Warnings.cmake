# shopwatch_target_defaults(<target>): warnings (as errors with SHOPWATCH_WERROR) and sanitizers.
add_library(shopwatch_options INTERFACE)
target_compile_options(shopwatch_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
  -Wimplicit-fallthrough)
if(SHOPWATCH_WERROR)
  target_compile_options(shopwatch_options INTERFACE -Werror)
endif()
if(SHOPWATCH_SANITIZE)
  target_compile_options(shopwatch_options INTERFACE -fsanitize=address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(shopwatch_options INTERFACE -fsanitize=address,undefined)
endif()
