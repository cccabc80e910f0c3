# The answers of a few http/e2e tests of the services validated against
# the OpenAPI documents (recorded.sh): the booking flow and lifecycle at
# ticket-app, the invoice API, the race through all three, the two-phase
# hold at ticket-app. Included after
# every service's tests, whose executables it reruns.
set(OPENAPI_RECORDED)
foreach(t test_ticket_http_flow test_ticket_http_lifecycle test_ticket_http_event_life
          test_waitlist_http payment_http_api e2e_test_race client_test_queue_e2e
          test_ticket_http_two_phase)
  if(TARGET ${t})
    list(APPEND OPENAPI_RECORDED $<TARGET_FILE:${t}>)
  endif()
endforeach()
if(OPENAPI_RECORDED)
  add_project_test(NAME openapi_recorded
                   COMMAND ${CMAKE_CURRENT_LIST_DIR}/recorded.sh ${OPENAPI_RECORDED}
                   LABELS e2e TIMEOUT 900)
endif()
