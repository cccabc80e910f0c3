# Tests of ticket-app's ticket codes, PDF tickets and check-in (included by
# this folder's CMakeLists.txt). Those sources go into their own library so
# that these tests build even while the rest of ticket-app does not.
set(TICKET_PDF_SRC ${CMAKE_CURRENT_SOURCE_DIR}/../src)
add_library(ticket_pdf_parts STATIC
  ${TICKET_PDF_SRC}/ticket_code.c ${TICKET_PDF_SRC}/ticket_pdf.c ${TICKET_PDF_SRC}/checkin.c
  ${TICKET_PDF_SRC}/lifecycle.c
  ${TICKET_PDF_SRC}/checkin_store.c ${TICKET_PDF_SRC}/checkin_handler.c)
target_include_directories(ticket_pdf_parts PUBLIC ${TICKET_PDF_SRC} ${HPDF_INCLUDE})
target_link_libraries(ticket_pdf_parts PUBLIC common ${HPDF_LIB} PkgConfig::QRENCODE)

# Executables are named test_ticket_* so no other service's target clashes.
add_executable(test_ticket_code ${CMAKE_CURRENT_SOURCE_DIR}/test_ticket_code.c)
add_executable(test_ticket_pdf ${CMAKE_CURRENT_SOURCE_DIR}/test_ticket_pdf.c)
add_executable(test_ticket_checkin ${CMAKE_CURRENT_SOURCE_DIR}/test_checkin.c)
foreach(t test_ticket_code test_ticket_pdf test_ticket_checkin)
  target_link_libraries(${t} PRIVATE ticket_pdf_parts PkgConfig::CMOCKA)
endforeach()
add_project_test(NAME ticket_code_unit COMMAND $<TARGET_FILE:test_ticket_code> LABELS unit)
add_project_test(NAME ticket_pdf_unit COMMAND $<TARGET_FILE:test_ticket_pdf> LABELS unit)
# Renders, rasterises with pdftoppm and decodes with zbarimg (77 = skipped
# when poppler-utils or zbar-tools are missing).
add_project_test(NAME ticket_pdf_qr COMMAND $<TARGET_FILE:test_ticket_pdf> qr LABELS unit
                 TIMEOUT 60)
add_project_test(NAME ticket_checkin_unit COMMAND $<TARGET_FILE:test_ticket_checkin> LABELS unit)

if(TARGET testsupport)
  add_executable(test_ticket_checkin_db ${CMAKE_CURRENT_SOURCE_DIR}/test_checkin_db.c)
  target_link_libraries(test_ticket_checkin_db PRIVATE ticket_pdf_parts testsupport
                        PkgConfig::CMOCKA)
  add_project_test(NAME ticket_checkin_db COMMAND $<TARGET_FILE:test_ticket_checkin_db> LABELS db
                   TIMEOUT 120)
endif()
