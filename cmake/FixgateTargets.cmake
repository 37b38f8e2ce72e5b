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

# Unity builds (CMAKE_UNITY_BUILD, which `make test` and `make asan` switch on)
# compile a target's files in batches of 8 through one translation unit, so the
# JSON/gtest templates they share are instantiated and optimised once per batch
# instead of once per file. A file that cannot share a translation unit with its
# neighbours (an internal helper named like a neighbour's, or a class holding an
# anonymous-namespace type, which -Wsubobject-linkage rejects once the file is
# #included) is listed here, relative to the repository root, and compiles alone.
# A unity build error like "redefinition of '...{anonymous}::name'" means: rename
# the helper, or add the file here.
set(FIXGATE_UNITY_SKIP
  src/cli/cmd_demo.cpp           # cell() as in cmd_decide.cpp / cmd_review.cpp
  src/cli/cmd_member_role.cpp    # print_error() as in cmd_iam_policy.cpp
  src/cli/cmd_review.cpp         # cell(), run_list(), run_show() overloads
  src/cli/cmd_worker.cpp         # error_fields() as in cmd_lambda.cpp
  src/cloudsim/simulator.cpp     # -Wsubobject-linkage
  src/engine/engine.cpp          # -Wsubobject-linkage
  src/service/service.cpp        # -Wsubobject-linkage
  src/ownership/backstage_catalog.cpp
  tests/aws/credentials_test.cpp
  tests/config/config_env_test.cpp
  tests/config/config_ownership_test.cpp
  tests/decision/examples_test.cpp
  tests/exceptions/decision_time_test.cpp
  tests/intake/asff_test.cpp)

# fixgate_apply_unity_skips() marks the files above in every directory of the
# project (source properties are per directory); called once, after every
# add_subdirectory().
function(fixgate_apply_unity_skips)
  set(dirs ${PROJECT_SOURCE_DIR})
  set(all_dirs "")
  while(dirs)
    list(POP_FRONT dirs dir)
    list(APPEND all_dirs ${dir})
    get_property(children DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    list(APPEND dirs ${children})
  endwhile()
  foreach(file IN LISTS FIXGATE_UNITY_SKIP)
    set_source_files_properties(${PROJECT_SOURCE_DIR}/${file} DIRECTORY ${all_dirs}
      PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endforeach()
endfunction()

# fixgate_component(NAME SOURCES... DEPS ...) defines the library fixgate_NAME.
function(fixgate_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(fixgate_${name} STATIC ${ARG_SOURCES})
  target_link_libraries(fixgate_${name} PUBLIC fixgate_options ${ARG_DEPS})
endfunction()

# Test binaries whose fixture is a process-wide peer that takes seconds to start
# (pgaudit: a throwaway PostgreSQL cluster per process). CTest runs every case of
# a discovered binary in a process of its own, which started a cluster per case
# (~6 s each, 215 s of a 440 s suite); these run as one CTest test instead, every
# case in one process, so the peer starts once. Their cases still print on failure.
set(FIXGATE_ONE_PROCESS_TESTS pgaudit_test pgaudit_engine_test)

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
  if(name IN_LIST FIXGATE_ONE_PROCESS_TESTS)
    add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  else()
    gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
  endif()
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
