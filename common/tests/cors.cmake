# CORS (cors.c) through a real server inside the test process, over HTTP:
# no database needed.
add_executable(common_test_cors ${CMAKE_CURRENT_LIST_DIR}/test_cors.c)
target_link_libraries(common_test_cors PRIVATE common PkgConfig::CMOCKA)
add_project_test(NAME common_cors COMMAND $<TARGET_FILE:common_test_cors> LABELS http TIMEOUT 60)
