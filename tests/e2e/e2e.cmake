# End-to-end tests across the three services, and the benchmark's load
# generator (bench/), whose engine the race test shares.
add_library(bench_load STATIC ${CMAKE_SOURCE_DIR}/bench/load.c)
target_include_directories(bench_load PUBLIC ${CMAKE_SOURCE_DIR}/bench)
target_link_libraries(bench_load PUBLIC PkgConfig::CURL)

add_executable(bench_loadgen ${CMAKE_SOURCE_DIR}/bench/loadgen.c)
target_link_libraries(bench_loadgen PRIVATE bench_load PkgConfig::JANSSON)

if(TARGET ticket-app AND TARGET payment-app AND TARGET client-app)
  add_executable(e2e_test_race ${CMAKE_CURRENT_LIST_DIR}/test_race.c)
  target_link_libraries(e2e_test_race PRIVATE bench_load testsupport PkgConfig::JANSSON PkgConfig::CMOCKA)
  target_compile_definitions(e2e_test_race PRIVATE
    CLIENT_APP_BIN="$<TARGET_FILE:client-app>"
    TICKET_APP_BIN="$<TARGET_FILE:ticket-app>"
    PAYMENT_APP_BIN="$<TARGET_FILE:payment-app>")
  add_dependencies(e2e_test_race client-app ticket-app payment-app)
  add_project_test(NAME e2e_race COMMAND $<TARGET_FILE:e2e_test_race> LABELS e2e TIMEOUT 240)
endif()
