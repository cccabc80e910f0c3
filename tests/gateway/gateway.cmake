# The API gateway's configuration template (gateway/haproxy.cfg.in): rendered
# in each shape and checked by haproxy -c; the routing, limits and error
# pages it must carry. Its behaviour under load and kills: chaos_replicas
# (tests/chaos) and make scale-check.
add_project_test(NAME gateway_config COMMAND ${CMAKE_CURRENT_LIST_DIR}/config-check.sh LABELS unit)
