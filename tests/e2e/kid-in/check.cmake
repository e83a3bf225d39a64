# End-to-end test of the `kid_in` token expectation: runs suite.yaml through the binary
# against env.yaml and compares the console output, timings masked, with
# expected-console.txt. KI-001 must pass and KI-002 fail naming the kid, so the exit
# status is 4 (a check failed).
# Usage: cmake -DTOLLGATE=<binary> -DSOURCE_DIR=<project root> -P check.cmake
set(dir tests/e2e/kid-in)
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
