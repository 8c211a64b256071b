# finex_add_library(<module> SOURCES ... DEPS ...)
#   Static library finex_<module>; includes start at src/ ("finex/core/status.h").
function(finex_add_library module)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_library(finex_${module} STATIC ${A_SOURCES})
  target_include_directories(finex_${module} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(finex_${module} PUBLIC ${A_DEPS})
endfunction()

# finex_add_test(<name> SOURCES ... DEPS ... [TIMING <gtest pattern>...])
#   One gtest binary, registered with CTest via gtest_discover_tests.
#   FINEX_SHARED_DATA is the path of ../shared/data (tests skip when absent).
#   TIMING lists the timing-sensitive tests (gtest filter patterns, e.g.
#   "Suite.Name" or "Suite.*"): tests that assert on wall-clock durations or
#   need real time to pass. They get the CTest label "timing" (ctest -L timing,
#   -LE timing) and scripts/test keeps them out of the sanitizer runs.
function(finex_add_test name)
  if(NOT FINEX_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;TIMING" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_DEPS} finex_testutil GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    FINEX_SHARED_DATA="${PROJECT_SOURCE_DIR}/../shared/data"
    FINEX_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    FINEX_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(A_TIMING)
    list(JOIN A_TIMING ":" _timing)
    gtest_discover_tests(${name} TEST_FILTER "-${_timing}" DISCOVERY_TIMEOUT 60
                         PROPERTIES TIMEOUT 600)
    gtest_discover_tests(${name} TEST_FILTER "${_timing}" DISCOVERY_TIMEOUT 60
                         PROPERTIES TIMEOUT 600 LABELS timing)
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
  endif()
endfunction()

# finex_add_bench(SOURCES ... DEPS ...): adds sources to the single finex_bench.
function(finex_add_bench)
  if(NOT FINEX_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY FINEX_BENCH_SOURCES ${A_SOURCES})
  set_property(GLOBAL APPEND PROPERTY FINEX_BENCH_DEPS ${A_DEPS})
endfunction()
