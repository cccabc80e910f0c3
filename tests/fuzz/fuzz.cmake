# Fuzzing (tests/fuzz). Two kinds of tests:
#  - fuzz_replay_<name> (unit): each target built with the regular toolchain
#    and replay.c, run over its seed corpus and its crash regressions
#    (tests/fuzz/regressions/<name>/), so every crash ever found stays fixed,
#    under the sanitizers too in `make test-asan`;
#  - fuzz (label fuzz): the libFuzzer run, a separate clang build made by
#    run.sh, FUZZ_SECONDS per target (skipped, 77, without clang's fuzzer
#    runtime). `make fuzz` runs it longer.
set(FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
set(FUZZ_SECONDS 15 CACHE STRING "seconds per target of the fuzz test")

function(fuzz_replay name lib)
  add_executable(fuzz_replay_${name} ${FUZZ_DIR}/targets/fuzz_${name}.c
                                     ${FUZZ_DIR}/targets/replay.c)
  target_include_directories(fuzz_replay_${name} PRIVATE ${FUZZ_DIR}/targets)
  target_link_libraries(fuzz_replay_${name} PRIVATE ${lib})
  add_project_test(NAME fuzz_replay_${name} COMMAND $<TARGET_FILE:fuzz_replay_${name}>
                   ${FUZZ_DIR}/corpus/${name} ${FUZZ_DIR}/regressions/${name} LABELS unit
                   TIMEOUT 120)
endfunction()
fuzz_replay(router common)
fuzz_replay(http_req common)
fuzz_replay(http_body common)
fuzz_replay(sig common)
fuzz_replay(util common)
if(TARGET ticket_core)
  fuzz_replay(ticket_code ticket_core)
  fuzz_replay(ticket_bodies ticket_core)
endif()
if(TARGET payment_core)
  fuzz_replay(payment_bodies payment_core)
endif()
if(TARGET client_core)
  fuzz_replay(client_bodies client_core)
endif()

# The libFuzzer build carries its own sanitizers: a SANITIZE build (make
# test-asan) does not run it a second time, only the replays.
if(NOT SANITIZE)
  add_project_test(NAME fuzz COMMAND ${FUZZ_DIR}/run.sh --build ${CMAKE_BINARY_DIR}/fuzz-build
                   --seconds ${FUZZ_SECONDS} LABELS fuzz TIMEOUT 1500)
endif()
