# Warnings and hardening for fixgate's own targets only (third-party headers are
# included as SYSTEM so they never break -Werror).
add_library(fixgate_options INTERFACE)
target_compile_options(fixgate_options INTERFACE
  -Wall -Wextra -Wpedantic -Werror -Wno-missing-field-initializers
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>
  -fstack-protector-strong)
target_compile_definitions(fixgate_options INTERFACE
  $<$<NOT:$<CONFIG:Debug>>:_FORTIFY_SOURCE=2>)
target_include_directories(fixgate_options INTERFACE ${PROJECT_SOURCE_DIR}/src)

# In a fuzz build every library is coverage-instrumented, not only the fuzz
# target's own file, or libFuzzer would explore the parsers blind.
if(FIXGATE_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(FIXGATE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# fixgate_component(NAME SOURCES... DEPS ...) defines the library fixgate_NAME.
function(fixgate_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(fixgate_${name} STATIC ${ARG_SOURCES})
  target_link_libraries(fixgate_${name} PUBLIC fixgate_options ${ARG_DEPS})
endfunction()

# fixgate_test(NAME SOURCES... DEPS ...) defines a GoogleTest binary registered with CTest.
# Tests run from the source tree so they can reach ../shared/corpus.
function(fixgate_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE fixgate_options ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    FIXGATE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    FIXGATE_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    FIXGATE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()

# fixgate_bench(NAME SOURCES... DEPS ...) defines a Google Benchmark program in
# build/bench/; scripts/bench.sh runs every one of them.
function(fixgate_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE fixgate_options ${ARG_DEPS} benchmark::benchmark benchmark::benchmark_main)
  target_compile_definitions(${name} PRIVATE
    FIXGATE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    FIXGATE_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
endfunction()

# fixgate_fuzz(NAME SOURCES... DEPS ...) defines a libFuzzer target in build-fuzz/fuzz/.
# Its seed corpus is fuzz/<component>/corpus/<NAME>/ (scripts/fuzz.sh grows it).
function(fixgate_fuzz name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE fixgate_options ${ARG_DEPS})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
endfunction()
