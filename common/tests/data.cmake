# Tests of common/'s data side: pool, migrations, config, signatures, random
# and the outbox. unit: cmocka over pure logic; db: against the test
# PostgreSQL (skipped, exit 77, when TEST_PGHOST/TEST_PGPORT are unset).
foreach(t config sig db_status rand outbox_backoff bg group)
  add_executable(common_test_${t} ${CMAKE_CURRENT_SOURCE_DIR}/test_${t}.c)
  target_link_libraries(common_test_${t} PRIVATE common PkgConfig::CMOCKA)
  add_project_test(NAME common_${t} COMMAND $<TARGET_FILE:common_test_${t}> LABELS unit
                   TIMEOUT 60)
endforeach()

foreach(t db migrate outbox)
  if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test_${t}.c)
    continue()
  endif()
  add_executable(common_test_${t} ${CMAKE_CURRENT_SOURCE_DIR}/test_${t}.c)
  target_link_libraries(common_test_${t} PRIVATE testsupport PkgConfig::CMOCKA)
  target_compile_definitions(common_test_${t}
                             PRIVATE FIXTURES_DIR="${CMAKE_CURRENT_SOURCE_DIR}/fixtures")
  add_project_test(NAME common_${t} COMMAND $<TARGET_FILE:common_test_${t}> LABELS db
                   TIMEOUT 180)
endforeach()

# The HTTP client against a server inside the test (no database needed).
add_executable(common_test_httpc ${CMAKE_CURRENT_SOURCE_DIR}/test_httpc.c)
target_link_libraries(common_test_httpc PRIVATE testsupport PkgConfig::CMOCKA)
add_project_test(NAME common_httpc COMMAND $<TARGET_FILE:common_test_httpc> LABELS http TIMEOUT 120)
