# tollgate_add_conformance_test(NAME <name> SUITES <paths...>
#                               [ENV <file>] [TARGET <url|mock:NAME>] [TARGET_FILE <file>]
#                               [TAGS <expr>] [ARGS <extra args...>])
#
# Registers a ctest test that runs `tollgate run` over the given suites. The test passes
# when every scenario passes (exit 0); its JUnit and JSON reports are written to
# ${CMAKE_CURRENT_BINARY_DIR}/tollgate-reports/<name>.{xml,json}.
#
# Partners use it in their own CMake projects: set TOLLGATE_EXECUTABLE to the tollgate
# binary (defaults to the `tollgate` target when built in this tree, else `tollgate` on PATH).
function(tollgate_add_conformance_test)
  cmake_parse_arguments(T "" "NAME;ENV;TARGET;TARGET_FILE;TAGS" "SUITES;ARGS" ${ARGN})
  if(NOT T_NAME OR NOT T_SUITES)
    message(FATAL_ERROR "tollgate_add_conformance_test: NAME and SUITES are required")
  endif()
  if(DEFINED TOLLGATE_EXECUTABLE)
    set(exe ${TOLLGATE_EXECUTABLE})
  elseif(TARGET tollgate)
    set(exe $<TARGET_FILE:tollgate>)
  else()
    set(exe tollgate)
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/tollgate-reports/${T_NAME})
  set(cmd ${exe} run ${T_SUITES} --quiet --junit ${out}.xml --json ${out}.json)
  if(T_ENV)
    list(APPEND cmd --env ${T_ENV})
  endif()
  if(T_TARGET)
    list(APPEND cmd --target ${T_TARGET})
  endif()
  if(T_TARGET_FILE)
    list(APPEND cmd --target-file ${T_TARGET_FILE})
  endif()
  if(T_TAGS)
    list(APPEND cmd --tags ${T_TAGS})
  endif()
  list(APPEND cmd ${T_ARGS})
  add_test(NAME ${T_NAME} COMMAND ${cmd})
  set_tests_properties(${T_NAME} PROPERTIES LABELS conformance)
endfunction()
