find_package(Threads REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# gumbo: the HTML parser behind journeys' css extraction (linked by shopwatch::probes only).
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
# howardhinnant-date's tz library: maintenance windows in a time zone (GCC 12 has no
# std::chrono::locate_zone). Debian builds it against the system tz database (/usr/share/zoneinfo).
find_package(date CONFIG REQUIRED)
