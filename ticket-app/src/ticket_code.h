/* ticket_code.h: signed ticket codes, one per booked seat, printed as the QR
 * code of the PDF ticket and verified at the gate:
 *   TK1.<booking uuid>.<seat uuid>.<first 32 hex of HMAC-SHA256(secret, "TK1.<booking>.<seat>")>
 * The UUIDs are written lowercase, so each ticket has exactly one spelling. */
#ifndef TICKET_CODE_H
#define TICKET_CODE_H

#include <stddef.h>

#define TICKET_CODE_PREFIX "TK1."
/* "TK1." + 36 + "." + 36 + "." + 32 */
#define TICKET_CODE_LEN 110
#define TICKET_CODE_MAC_HEX 32

/* Writes the code for a seat of a booking into out (NUL-terminated, at least
 * TICKET_CODE_LEN + 1 bytes). booking_id and seat_id must be UUIDs (any
 * case; they are written lowercase). Returns 0, or -1 if an argument is
 * missing or not a UUID, the secret is empty, or outlen is too small. */
int ticket_code_make(const char *secret, const char *booking_id, const char *seat_id, char *out,
                     size_t outlen);

/* Checks code's format and signature. On 0 the booking and seat ids (lowercase,
 * NUL-terminated) are written to booking_id and seat_id. Returns -1 for
 * anything else: NULL, wrong length, wrong prefix or separators, ids that are
 * not lowercase UUIDs, a signature that is not 32 lowercase hex digits or
 * does not match (compared in constant time). Reads at most
 * TICKET_CODE_LEN + 1 bytes of code, whatever its length. On -1 both outputs
 * are empty strings. */
int ticket_code_parse_verify(const char *secret, const char *code, char booking_id[37],
                             char seat_id[37]);

#endif
