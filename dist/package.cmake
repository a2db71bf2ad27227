# The Debian package: CPack's DEB generator on this build's install
# (docs/packaging.md says why CPack rather than debian/). Configure the
# build with -DCMAKE_INSTALL_PREFIX=/usr, then `cpack -G DEB` in it; the
# package installs where the build was configured to, so the unit's paths
# (configured from the prefix) are right.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME opsbot)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "opsbot maintainers <opsbot@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "chat-ops bot for production support")
set(CPACK_PACKAGE_DESCRIPTION
"opsbot answers commands typed in Slack, Mattermost or its console by
running short probes on the hosts of its inventory (locally or over ssh),
posts alerts from Alertmanager and Grafana to the right channels with
acknowledge and silence buttons, and runs Start-of-Day and End-of-Day
checklists. Every command is checked against roles and audited.")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/opsbot")
# Depends: the shared libraries the binary links, from dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not linked but run: ssh for remote hosts, pgrep and /proc readers for
# the local host, time zones for schedules.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "openssh-client, procps, tzdata")
# dpkg treats these as conffiles: kept on upgrade when edited, removed
# on purge.
set(OPSBOT_CONFFILE ${OPSBOT_CONFDIR}/opsbot.json)
set(OPSBOT_SYSUSERS_FILE ${CMAKE_INSTALL_PREFIX}/${OPSBOT_SYSUSERSDIR}/opsbot.conf)
set(OPSBOT_TMPFILES_FILE ${CMAKE_INSTALL_PREFIX}/${OPSBOT_TMPFILESDIR}/opsbot.conf)
foreach(f conffiles postinst prerm postrm)
	configure_file(${CMAKE_CURRENT_SOURCE_DIR}/debian/${f}
		${CMAKE_CURRENT_BINARY_DIR}/debian/${f} @ONLY)
endforeach()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
	${CMAKE_CURRENT_BINARY_DIR}/debian/conffiles
	${CMAKE_CURRENT_BINARY_DIR}/debian/postinst
	${CMAKE_CURRENT_BINARY_DIR}/debian/prerm
	${CMAKE_CURRENT_BINARY_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
