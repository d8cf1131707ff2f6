/* crm-json.h: JSON text that SQLite's JSON functions and every peer accept */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char *crm_json_to_string     (JsonNode   *node);
void  crm_json_append_string (GString    *out,
                              const char *text);

G_END_DECLS
