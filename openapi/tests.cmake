# The documents linted (OpenAPI 3.1 schema, examples, build.js fresh) and
# the Postman collection checked against them; skipped without Node.js.
# The run itself is validated by make postman (postman/run.sh).
add_project_test(NAME openapi_lint COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check.sh LABELS unit
                 TIMEOUT 300)
