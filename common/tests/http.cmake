# Tests of common/'s HTTP side: router, request/response helpers and util
# (unit, cmocka), and a real daemon built on service_main driven over HTTP
# (http; skipped, exit 77, when TEST_PGHOST/TEST_PGPORT are unset).
foreach(t router http_req util)
  add_executable(common_test_${t} ${CMAKE_CURRENT_LIST_DIR}/test_${t}.c)
  target_link_libraries(common_test_${t} PRIVATE common PkgConfig::CMOCKA)
  add_project_test(NAME common_${t} COMMAND $<TARGET_FILE:common_test_${t}> LABELS unit
                   TIMEOUT 60)
endforeach()

add_executable(common_demo_daemon ${CMAKE_CURRENT_LIST_DIR}/demo_daemon.c)
target_link_libraries(common_demo_daemon PRIVATE common)

add_executable(common_test_server ${CMAKE_CURRENT_LIST_DIR}/test_server.c)
target_link_libraries(common_test_server PRIVATE testsupport PkgConfig::CMOCKA)
target_compile_definitions(
  common_test_server PRIVATE DEMO_DAEMON_BIN="$<TARGET_FILE:common_demo_daemon>"
                             URLLIB_CLIENT="${CMAKE_CURRENT_LIST_DIR}/urllib_big_body.py")
add_dependencies(common_test_server common_demo_daemon)
add_project_test(NAME common_server COMMAND $<TARGET_FILE:common_test_server> LABELS http
                 TIMEOUT 300)

# Slow clients (slowloris): trickled headers and bodies are cut at the
# connection timeout, slow handlers and timely keep-alive are not.
add_executable(common_test_server_slow ${CMAKE_CURRENT_LIST_DIR}/test_server_slow.c)
target_link_libraries(common_test_server_slow PRIVATE testsupport PkgConfig::CMOCKA)
target_compile_definitions(common_test_server_slow
                           PRIVATE DEMO_DAEMON_BIN="$<TARGET_FILE:common_demo_daemon>")
add_dependencies(common_test_server_slow common_demo_daemon)
add_project_test(NAME common_server_slow COMMAND $<TARGET_FILE:common_test_server_slow>
                 LABELS http TIMEOUT 120)
