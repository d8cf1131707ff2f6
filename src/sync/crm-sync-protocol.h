/* crm-sync-protocol.h: the JSON messages of the sync protocol (docs/sync-protocol.md), shared by crm-server and the client */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CRM_SYNC_ERROR (crm_sync_error_quark ())

typedef enum
{
  CRM_SYNC_ERROR_FAILED,
  CRM_SYNC_ERROR_MALFORMED,        /* 400: not JSON, wrong types, too deep */
  CRM_SYNC_ERROR_TOO_LARGE,        /* 413 */
  CRM_SYNC_ERROR_UNAUTHORIZED,     /* 401: bad password or token */
  CRM_SYNC_ERROR_FORBIDDEN,        /* 403 */
  CRM_SYNC_ERROR_RATE_LIMITED,     /* 429 */
  CRM_SYNC_ERROR_GAP,              /* 409 mutation_gap */
  CRM_SYNC_ERROR_DIVERGED,         /* 409 client_diverged */
  CRM_SYNC_ERROR_RESYNC,           /* 409 resync_required */
  CRM_SYNC_ERROR_SCHEMA,           /* 426 schema_unsupported */
  CRM_SYNC_ERROR_NETWORK,
  CRM_SYNC_ERROR_SERVER,
  CRM_SYNC_ERROR_UNAVAILABLE,      /* 503: the server's database is unreachable or busy */
} CrmSyncError;

GQuark crm_sync_error_quark (void);

/* The version of the protocol and of the synced schema a client speaks;
 * the server answers 426 schema_unsupported to a version outside
 * CRM_SYNC_PROTOCOL_OLDEST…CRM_SYNC_PROTOCOL_VERSION. Version 2: the
 * clocks of a pulled row may say {"*": CLOCK} for every field of the row
 * (crm_sync_field_clock()); clients of version 1 get each field's.
 * Version 3: its authors likewise, {"*": USER} (crm_sync_field_author()). */
#define CRM_SYNC_PROTOCOL_VERSION 3
#define CRM_SYNC_PROTOCOL_OLDEST  1
#define CRM_SYNC_PROTOCOL_SHARED_CLOCKS 2
#define CRM_SYNC_PROTOCOL_SHARED_AUTHORS 3

gboolean    crm_sync_protocol_supported (gint64      version);
const char *crm_sync_field_clock        (JsonObject *hlcs,
                                         const char *field);
const char *crm_sync_field_author       (JsonObject *authors,
                                         const char *field);

/* Limits the server enforces and the client respects. */
#define CRM_SYNC_MAX_BODY        (8 * 1024 * 1024)
#define CRM_SYNC_MAX_DEPTH       8
#define CRM_SYNC_MAX_BATCH       500
#define CRM_SYNC_MAX_PAGE        5000
#define CRM_SYNC_MAX_STRING      (256 * 1024)
/* A pull page stops growing past this many bytes of changes, whatever its
 * row limit, so an answer stays far below what a client accepts
 * (CRM_SYNC_MAX_ANSWER: a full page plus one row as large as a request). */
#define CRM_SYNC_MAX_PAGE_BYTES  (4 * 1024 * 1024)
#define CRM_SYNC_MAX_ANSWER      (2 * CRM_SYNC_MAX_BODY)

/* Error codes of the protocol's error body {"error": CODE, "message": …}. */
const char *crm_sync_error_code        (CrmSyncError  error);
guint       crm_sync_error_http_status (CrmSyncError  error);
CrmSyncError crm_sync_error_from_code  (const char   *code,
                                        guint         http_status);

/* Parses @data as a JSON object no deeper than CRM_SYNC_MAX_DEPTH and no
 * larger than CRM_SYNC_MAX_BODY; MALFORMED or TOO_LARGE otherwise. */
JsonObject *crm_sync_parse_object      (const char   *data,
                                        gsize         length,
                                        GError      **error);
/* The same for a server's answer, up to CRM_SYNC_MAX_ANSWER bytes. */
JsonObject *crm_sync_parse_answer      (const char   *data,
                                        gsize         length,
                                        GError      **error);
char       *crm_sync_object_to_string  (JsonObject   *object,
                                        gsize        *length);
JsonObject *crm_sync_error_body        (CrmSyncError  code,
                                        const char   *message);

/* Strict member access: MALFORMED naming the member when it is missing
 * (unless optional) or of another type. */
gboolean    crm_sync_get_string        (JsonObject   *object,
                                        const char   *member,
                                        gboolean      optional,
                                        const char  **out,
                                        GError      **error);
gboolean    crm_sync_get_int           (JsonObject   *object,
                                        const char   *member,
                                        gboolean      optional,
                                        gint64        min,
                                        gint64        max,
                                        gint64       *out,
                                        GError      **error);
gboolean    crm_sync_get_object        (JsonObject   *object,
                                        const char   *member,
                                        gboolean      optional,
                                        JsonObject  **out,
                                        GError      **error);
gboolean    crm_sync_get_array         (JsonObject   *object,
                                        const char   *member,
                                        gboolean      optional,
                                        JsonArray   **out,
                                        GError      **error);

/* Login: {"user", "password", "client_id", "schema_version"}. */
typedef struct
{
  char *user;
  char *password;
  char *client_id;
  gint64 schema_version;
} CrmSyncLogin;

void          crm_sync_login_free      (CrmSyncLogin *login);
CrmSyncLogin *crm_sync_login_decode    (JsonObject   *object,
                                        GError      **error);
JsonObject   *crm_sync_login_encode    (const CrmSyncLogin *login);

/* One mutation of a push: a row of the outbox plus the server version of
 * the row its author had last pulled (the base of the three-way merge). */
typedef struct
{
  gint64 mutation_id;
  char *table;
  char *row_id;
  char *op;              /* insert | update | delete */
  JsonObject *patch;     /* field -> value; NULL for a hard delete */
  char *hlc;
  gint64 base_version;
} CrmSyncMutation;

void             crm_sync_mutation_free    (CrmSyncMutation *mutation);
CrmSyncMutation *crm_sync_mutation_decode  (JsonObject      *object,
                                            GError         **error);
JsonObject      *crm_sync_mutation_encode  (const CrmSyncMutation *mutation);
/* A digest of what a mutation says, to tell a retry from a different
 * mutation reusing the id (a client restored from an old backup). */
char            *crm_sync_mutation_digest  (const CrmSyncMutation *mutation);

/* Push: {"client_id", "schema_version", "mutations": [...]} */
typedef struct
{
  char *client_id;
  gint64 schema_version;
  GPtrArray *mutations;  /* CrmSyncMutation */
} CrmSyncPush;

void         crm_sync_push_free    (CrmSyncPush *push);
CrmSyncPush *crm_sync_push_decode  (JsonObject  *object,
                                    GError     **error);
JsonObject  *crm_sync_push_encode  (const CrmSyncPush *push);

/* True when @name is a plain SQL identifier ([a-z_][a-z0-9_]*), the only
 * shape of table and field names the protocol carries. */
gboolean     crm_sync_is_identifier (const char *name);

/* Whether @column of synced @table travels between replicas: not the
 * bookkeeping each replica keeps (rid, updated_at, server_version) nor the
 * contact fields every replica derives (pinyin, lifecycle, RFM). The same
 * rule as the outbox triggers of crm-store-migrations.c. */
gboolean     crm_sync_column_is_synced (const char *table,
                                        const char *column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSyncLogin, crm_sync_login_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSyncMutation, crm_sync_mutation_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSyncPush, crm_sync_push_free)

G_END_DECLS
