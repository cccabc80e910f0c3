# SEED_FILE of service_main (how the container images load demo data): a
# real daemon over a fresh database (http; skipped, exit 77, without the
# test PostgreSQL).
add_executable(common_test_seed ${CMAKE_CURRENT_LIST_DIR}/test_seed.c)
target_link_libraries(common_test_seed PRIVATE testsupport PkgConfig::CMOCKA)
target_compile_definitions(common_test_seed PRIVATE DEMO_DAEMON_BIN="$<TARGET_FILE:common_demo_daemon>"
                                                    FIXTURES_DIR="${CMAKE_CURRENT_LIST_DIR}/fixtures")
add_dependencies(common_test_seed common_demo_daemon)
add_project_test(NAME common_seed COMMAND $<TARGET_FILE:common_test_seed> LABELS http TIMEOUT 120)
