# End-to-end test of `notify: {webhook}` against verifying receivers: runs suite.yaml
# through the binary against env.yaml and compares the console output, timings masked,
# with expected-console.txt. WH-001..003 must pass and WH-004 (a receiver that verifies
# nothing) fail, so the exit status is 4 (a check failed).
# Usage: cmake -DTOLLGATE=<binary> -DSOURCE_DIR=<project root> -P check.cmake
set(dir tests/e2e/webhooks)
execute_process(
  COMMAND ${TOLLGATE} run ${dir}/suite.yaml --env ${dir}/env.yaml --jobs 1
  WORKING_DIRECTORY ${SOURCE_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX REPLACE "\\([0-9.]+ ms\\)" "(T ms)" out "${out}")
string(REGEX REPLACE "in [0-9.]+ s" "in T s" out "${out}")
file(READ ${SOURCE_DIR}/${dir}/expected-console.txt expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "console output differs from ${dir}/expected-console.txt:\n${out}${err}")
endif()
if(NOT rc EQUAL 4)
  message(FATAL_ERROR "exit status ${rc}, expected 4 (a check failed):\n${err}")
endif()
