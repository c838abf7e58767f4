# cmake -P script (packaging/CMakeLists.txt): writes the man page of the shopwatch binary.
# help2man reads `shopwatch --help` (and the first line of `--version`); the include file adds the hand-written sections
# (manpage.h2m) and a COMMANDS section with each subcommand's own --help, so the page never
# drifts from the CLI.
foreach(var SHOPWATCH_EXE HELP2MAN GZIP INCLUDE WORK_DIR OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "gen_manpage.cmake: -D${var}= is required")
  endif()
endforeach()

# Leak reports of a sanitizer build must not end up in (or break) the page.
set(ENV{ASAN_OPTIONS} "detect_leaks=0")

set(commands_h2m "[COMMANDS]\n")
foreach(cmd "run" "check-config" "probe" "incidents" "backlog check" "backlog rebuild" "demo")
  separate_arguments(args UNIX_COMMAND "${cmd} --help")
  execute_process(COMMAND ${SHOPWATCH_EXE} ${args} OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gen_manpage.cmake: `shopwatch ${cmd} --help` exited ${rc}")
  endif()
  # First line is the subcommand's description; the usage and options follow, as preformatted text.
  string(REPLACE "\\" "\\\\" help "${help}")
  string(REGEX REPLACE "\n+$" "" help "${help}")
  string(APPEND commands_h2m ".SS \"shopwatch ${cmd}\"\n.nf\n${help}\n.fi\n")
endforeach()

file(READ ${INCLUDE} static_h2m)
set(include_file ${WORK_DIR}/shopwatch.h2m)
file(WRITE ${include_file} "${commands_h2m}\n${static_h2m}")

# The first line of `--version` ("shopwatch 0.1.0"); the library versions after it describe the
# build host, not the program, and stay out of the page.
execute_process(COMMAND ${SHOPWATCH_EXE} --version OUTPUT_VARIABLE version_text RESULT_VARIABLE rc)
string(REGEX MATCH "^[^\n]*" version_line "${version_text}")
if(NOT rc EQUAL 0 OR NOT version_line MATCHES "^shopwatch [0-9]")
  message(FATAL_ERROR "gen_manpage.cmake: `shopwatch --version` printed '${version_line}' (exit ${rc})")
endif()

set(page ${WORK_DIR}/shopwatch.1)
execute_process(
  COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=1
          "--version-string=${version_line}"
          "--name=monitoring agent for webshops: HTTP checks, journeys, SLAs and incidents"
          --include=${include_file} --output=${page} ${SHOPWATCH_EXE}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gen_manpage.cmake: help2man exited ${rc}")
endif()
execute_process(COMMAND ${GZIP} -9nf ${page} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT EXISTS ${page}.gz)
  message(FATAL_ERROR "gen_manpage.cmake: gzip failed")
endif()
if(NOT "${page}.gz" STREQUAL "${OUTPUT}")
  file(RENAME ${page}.gz ${OUTPUT})
endif()
