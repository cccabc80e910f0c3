# Security battery (tests/security): every endpoint of the three daemons,
# read from their route tables, probed with hostile requests; each must get
# the right 4xx and change nothing. Shares tests/chaos/harness.c.
if(TARGET suite_harness AND TARGET payment-app AND TARGET ticket-app AND TARGET client-app)
  add_executable(security_test ${CMAKE_CURRENT_LIST_DIR}/security.c)
  target_link_libraries(security_test PRIVATE suite_harness testsupport)
  target_compile_definitions(security_test PRIVATE
    PAYMENT_APP_BIN="$<TARGET_FILE:payment-app>"
    TICKET_APP_BIN="$<TARGET_FILE:ticket-app>"
    CLIENT_APP_BIN="$<TARGET_FILE:client-app>"
    CLIENT_ROUTES="${CMAKE_SOURCE_DIR}/client-app/src/routes.c"
    TICKET_ROUTES="${CMAKE_SOURCE_DIR}/ticket-app/src/routes.c"
    PAYMENT_ROUTES="${CMAKE_SOURCE_DIR}/payment-app/src/routes.c")
  add_dependencies(security_test payment-app ticket-app client-app)
  add_project_test(NAME security COMMAND $<TARGET_FILE:security_test> LABELS e2e TIMEOUT 900)
endif()
