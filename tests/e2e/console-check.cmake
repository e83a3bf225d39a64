# End-to-end console check shared by the e2e cases that are a suite plus an environment:
# runs tests/e2e/<CASE>/suite.yaml through the binary against its env.yaml and compares
# the console output, timings masked, with its expected-console.txt. Each such case has
# one scenario meant to fail (showing its check catches a defect), so the exit status
# must be 4 (a check failed).
# Usage: cmake -DTOLLGATE=<binary> -DSOURCE_DIR=<project root> -DCASE=<folder>
#              -DOUT_DIR=<folder for the reports> -P console-check.cmake
# The reports go to OUT_DIR (in the build folder), never into the source tree.
set(dir tests/e2e/${CASE})
file(MAKE_DIRECTORY ${OUT_DIR})
execute_process(
  COMMAND ${TOLLGATE} run ${dir}/suite.yaml --env ${dir}/env.yaml --jobs 1
          --junit ${OUT_DIR}/junit.xml --json ${OUT_DIR}/results.json
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
