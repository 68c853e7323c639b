/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

void        brd_http_reply_json   (SoupServerMessage *msg,
                                   guint              status,
                                   JsonNode          *node);
void        brd_http_reply_error  (SoupServerMessage *msg,
                                   guint              status,
                                   const char        *code,
                                   const char        *format,
                                   ...) G_GNUC_PRINTF (4, 5);
char       *brd_http_now_iso8601  (void);
char       *brd_http_format_time  (gint64             unix_usec);
gint64      brd_http_parse_time   (const char        *iso8601);
double      brd_http_round_money  (double             usd);

G_END_DECLS
