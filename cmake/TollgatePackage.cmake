# Install rules and the Debian package (CPack DEB), included by the top-level CMakeLists.txt.
#
#   cmake --install build --prefix /usr/local --strip
#   cd build && cpack -G DEB          # tollgate_<version>_<arch>.deb
#
# An installed tollgate finds its profiles, environments and PKI profile in
# <prefix>/share/tollgate, beside its own bin/ (src/cli/project.cc), so an unpacked package
# works from any folder; its generated PKI goes to the user's cache, never into share/.

include(GNUInstallDirs)

# The data folder relative to the binary's folder, as src/cli/project.cc looks it up.
file(RELATIVE_PATH tollgate_installed_data /${CMAKE_INSTALL_BINDIR}
     /${CMAKE_INSTALL_DATADIR}/tollgate)
set_property(SOURCE ${CMAKE_SOURCE_DIR}/src/cli/project.cc APPEND PROPERTY COMPILE_DEFINITIONS
             TOLLGATE_INSTALLED_DATA="${tollgate_installed_data}")

install(TARGETS tollgate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/suites ${CMAKE_SOURCE_DIR}/mocks
                  ${CMAKE_SOURCE_DIR}/examples
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tollgate)
# The PKI profile only: certs/generated is per machine and per user (the cache).
install(FILES ${CMAKE_SOURCE_DIR}/certs/pki.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/tollgate/certs)
# A partner's own CMake project includes it to register conformance runs (docs/ctest.md).
install(FILES ${CMAKE_SOURCE_DIR}/cmake/TollgateConformance.cmake
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tollgate/cmake)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tollgate)
set(CPACK_PACKAGE_VENDOR "tollgate")
set(CPACK_PACKAGE_CONTACT "tollgate maintainers <tollgate@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "conformance harness and mock partner environment for payment-API security")
set(CPACK_PACKAGE_DESCRIPTION
    "tollgate starts mock services (token issuers, JWKS hosts, mTLS endpoints, webhook senders
and receivers, reference targets), runs YAML security scenarios against a target API and
reports JUnit XML, JSON and HTML. The package holds the binary, the profiles
(share/tollgate/suites), their environments (share/tollgate/mocks) and the test PKI profile;
the PKI itself is generated into the user's cache on first use.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/tollgate")
# The runtime libraries (libssl3, libcurl4, libyaml-cpp0.7, libfmt9, libre2-9,
# libpugixml1v5, libstdc++6...) come from dpkg-shlibdeps when it is there (dpkg-dev); the
# list below is the same for a machine without it.
find_program(TOLLGATE_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(TOLLGATE_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libstdc++6, libgcc-s1, libssl3, libcurl4, libyaml-cpp0.7, libfmt9, libre2-9, libpugixml1v5")
endif()
include(CPack)
