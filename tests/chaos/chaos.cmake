# Fault-injection suite (tests/chaos): the three daemons on a dedicated
# PostgreSQL, killed, kept down and starved of their database under load,
# then reconciled. `make test` runs the short default; `make chaos` a long
# run (CHAOS_DURATION_S). The harness is shared with tests/security.
add_library(suite_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/harness.c)
target_include_directories(suite_harness PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(suite_harness PUBLIC testsupport PkgConfig::CURL PkgConfig::JANSSON
                      PkgConfig::PQ Threads::Threads)

if(TARGET payment-app AND TARGET ticket-app AND TARGET client-app)
  add_executable(chaos_test ${CMAKE_CURRENT_LIST_DIR}/chaos.c)
  target_link_libraries(chaos_test PRIVATE suite_harness)
  target_compile_definitions(chaos_test PRIVATE
    PAYMENT_APP_BIN="$<TARGET_FILE:payment-app>"
    TICKET_APP_BIN="$<TARGET_FILE:ticket-app>"
    CLIENT_APP_BIN="$<TARGET_FILE:client-app>"
    PG_SCRIPT="${CMAKE_SOURCE_DIR}/scripts/pg.sh"
    REPO_DIR="${CMAKE_SOURCE_DIR}")
  add_dependencies(chaos_test payment-app ticket-app client-app)
  # The short default takes about 2 minutes; the timeout leaves room for
  # `make chaos` (CHAOS_DURATION_S up to about 40 minutes).
  add_project_test(NAME chaos COMMAND $<TARGET_FILE:chaos_test> LABELS e2e TIMEOUT 3000)
  # Two instances of each daemon on the same databases behind the gateway
  # (HAProxy, scripts/deps.sh test): kills of one instance, outages of both,
  # waitlist offers from both; the same reconciliation (no double
  # settlement, delivery, offer or expiry).
  add_project_test(NAME chaos_replicas COMMAND ${CMAKE_COMMAND} -E env CHAOS_INSTANCES=2
                   CHAOS_DURATION_S=60 $<TARGET_FILE:chaos_test> LABELS e2e TIMEOUT 600)
endif()
