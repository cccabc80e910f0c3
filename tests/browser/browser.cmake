# Browser tests of client-app's web UI: real headless Chromium (Debian's
# chromium, driven by playwright-core) against a throwaway trio of the real
# daemons. run.sh skips (77) without node, npm, chromium or TEST_PG*.
if(TARGET client-app AND TARGET ticket-app AND TARGET payment-app)
  add_project_test(NAME browser_ui
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run.sh ${CMAKE_BINARY_DIR}/tests/browser
            $<TARGET_FILE:client-app> $<TARGET_FILE:ticket-app> $<TARGET_FILE:payment-app>
    LABELS e2e TIMEOUT 600)
endif()
