# CPack settings of the Debian package shopwatch_<version>_amd64.deb (`cpack -G DEB` in the build
# directory). Library dependencies come from dpkg-shlibdeps over the installed binary, never a
# hand-written list; the maintainer scripts and the conffiles list are in packaging/debian/.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "shopwatch")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "shopwatch")
set(CPACK_PACKAGE_CONTACT "shopwatch maintainers <shopwatch@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "monitoring agent for webshops: HTTP checks, journeys, SLAs, incidents")
set(CPACK_PACKAGE_DESCRIPTION
    "One instance per client (shopwatch@CLIENT.service) runs HTTP checks and scripted checkout\n\
journeys against the client's shops, stores results in SQLite, evaluates alert rules and SLOs,\n\
files incidents into Jira, Redmine, a webhook or Alertmanager, and serves Prometheus /metrics\n\
with blackbox_exporter's metric names. Ships a hardened systemd template unit, an example\n\
config, Prometheus alert rules for the agent itself and a Grafana dashboard.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
# Only the package's own files: no build tree, no test install rules of other components.
set(CPACK_SOURCE_GENERATOR "")

set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")  # shopwatch_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "amd64")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser creates the system user (postinst falls back to useradd from passwd).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser | passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus, prometheus-alertmanager")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/debian/conffiles;${CMAKE_CURRENT_LIST_DIR}/debian/postinst;${CMAKE_CURRENT_LIST_DIR}/debian/prerm;${CMAKE_CURRENT_LIST_DIR}/debian/postrm")

include(CPack)
