/* crm-server-backend.h: the storage interface of crm-server (SQLite or PostgreSQL) */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *id;
  char *name;
  char *role;
  char *team;
  char *password_hash;
  gboolean disabled;
} CrmServerUser;

/* The server's copy of one synced row: every synced field's value, and per
 * field the clock of the write that set it and the seq it was set at (the
 * merge needs both). @scope_owner is the owner of the customer the row
 * belongs to, which decides who sees it. */
typedef struct
{
  char *table;
  char *id;
  JsonObject *data;      /* field -> value */
  JsonObject *meta;      /* field -> [hlc, seq] */
  gboolean deleted;
  char *scope_owner;
  gint64 seq;
} CrmServerRow;

/* A row as a pull sends it, with its JSON already written by the storage:
 * parsing every row and writing it out again took most of the server's
 * time in a pull. */
typedef struct
{
  char *table;
  char *id;
  gboolean deleted;
  char *scope_owner;
  gint64 seq;
  char *data;          /* field -> value, JSON text */
  char *hlcs;          /* field -> clock of its last write, JSON text (NULL: none) */
  char *authors;       /* field -> user who wrote it, JSON text (NULL: none) */
  char *deleted_by;    /* who deleted the row (NULL: unknown) */
} CrmServerChange;

typedef struct
{
  gint64 mutation_id;
  char *digest;
  char *result;          /* the JSON result sent back, replayed on retry */
} CrmServerMutationRecord;

/* A key another system (a shop, an ERP) uses for the REST API. Only a hash
 * of the key is stored, as for sign-in tokens. */
typedef struct
{
  char *id;
  char *name;
  char *scopes;          /* comma-separated, e.g. "contacts:read,purchases:write" */
  char *key_hash;
  gint64 created_at;     /* Unix seconds */
  gboolean revoked;
} CrmServerApiKey;
/* A device a user signed in from (a client id and its tokens). */
typedef struct
{
  char *client_id;
  char *user_id;
  char *label;
  gint64 last_seen;      /* Unix ms */
  gboolean revoked;
} CrmServerDevice;

/* One applied change in the authoritative audit log: @changes is JSON,
 * field -> [before, after]. @edit_hlc is the clock of the mutation (when
 * the edit was made, maybe offline); @received_at when the server got it. */
typedef struct
{
  gint64 id;
  gint64 received_at;    /* Unix ms */
  gint64 edit_at;        /* Unix ms, from @edit_hlc */
  char *edit_hlc;
  char *user_id;
  char *user_name;
  char *client_id;
  char *table;
  char *row_id;
  char *op;
  char *changes;
} CrmServerAuditEntry;

/* Filters of list_audit; NULL / 0 for none. Newest first, ids below
 * @before_id. @team: only changes made by that team's members. */
typedef struct
{
  const char *user_id;
  const char *team;
  const char *table;
  const char *row_id;
  gint64 since;          /* edit time, Unix ms, inclusive */
  gint64 until;          /* edit time, Unix ms, exclusive */
  gint64 before_id;
  guint limit;
} CrmServerAuditQuery;

typedef struct _CrmServerBackend CrmServerBackend;

/* Every operation runs inside begin/commit except the user and token
 * lookups. Implementations serialize writers (SQLite: BEGIN IMMEDIATE,
 * PostgreSQL: a row lock on the client), so a mutation id is never
 * applied twice even with several server processes. */
typedef struct
{
  void          (*free)            (CrmServerBackend *self);
  gboolean      (*begin)           (CrmServerBackend *self, GError **error);
  gboolean      (*commit)          (CrmServerBackend *self, GError **error);
  void          (*rollback)        (CrmServerBackend *self);
  /* Whether the storage answers now (GET /readyz). */
  gboolean      (*ready)           (CrmServerBackend *self, GError **error);

  gboolean      (*add_user)        (CrmServerBackend *self, const CrmServerUser *user, GError **error);
  CrmServerUser *(*find_user)      (CrmServerBackend *self, const char *name_or_id, GError **error);
  GPtrArray    *(*team_members)    (CrmServerBackend *self, const char *team, GError **error);

  gboolean      (*add_token)       (CrmServerBackend *self, const char *token_hash, const char *user_id,
                                    const char *client_id, gint64 expires_at, GError **error);
  /* Returns the user id of a live token bound to @client_id (NULL if none). */
  char         *(*check_token)     (CrmServerBackend *self, const char *token_hash, GError **error);
  char         *(*token_client)    (CrmServerBackend *self, const char *token_hash);
  gboolean      (*revoke_tokens)   (CrmServerBackend *self, const char *user_id, GError **error);

  gint64        (*client_last_mutation) (CrmServerBackend *self, const char *client_id, GError **error);
  CrmServerMutationRecord *(*find_mutation) (CrmServerBackend *self, const char *client_id,
                                             gint64 mutation_id, GError **error);
  gboolean      (*record_mutation) (CrmServerBackend *self, const char *client_id, const char *user_id,
                                    const CrmServerMutationRecord *record, GError **error);

  CrmServerRow *(*get_row)         (CrmServerBackend *self, const char *table, const char *id, GError **error);
  /* Writes @row with a new seq, taken as the last statement before commit. */
  gboolean      (*put_row)         (CrmServerBackend *self, CrmServerRow *row, GError **error);
  gint64        (*next_seq)        (CrmServerBackend *self, GError **error);
  gint64        (*max_seq)         (CrmServerBackend *self, GError **error);
  /* CrmServerChanges of the rows with seq > @cursor in seq order, at
   * most @limit, for a client of sync @protocol: from version 2 a row
   * whose every field has the same clock gives its clocks as {"*":
   * CLOCK}, from version 3 its authors likewise. */
  GPtrArray    *(*changes_after)   (CrmServerBackend *self, gint64 cursor, guint limit,
                                    int protocol, GError **error);
  /* The rows hanging under contact @contact_id (purchases, deals, …). */
  GPtrArray    *(*rows_of_contact) (CrmServerBackend *self, const char *contact_id, GError **error);

  /* Conflicts to tell another client about (its value lost, or won over
   * an edit it never saw): kept until that client acknowledges them. */
  gboolean      (*add_conflict)    (CrmServerBackend *self, const char *client_id, const char *body,
                                    GError **error);
  /* Forgets those up to @ack and returns the rest as JSON texts, by id. */
  GPtrArray    *(*client_conflicts) (CrmServerBackend *self, const char *client_id, gint64 ack,
                                     GArray *out_ids, GError **error);

  gboolean      (*audit)           (CrmServerBackend *self, const char *user_id, const char *client_id,
                                    gint64 mutation_id, const char *table, const char *row_id,
                                    const char *op, const char *status, GError **error);

  /* Live rows of @table whose @field equals @value (a survey's questions). */
  GPtrArray    *(*rows_with_field) (CrmServerBackend *self, const char *table, const char *field,
                                    const char *value, GError **error);

  /* API keys (REST API) */
  gboolean      (*add_api_key)     (CrmServerBackend *self, const CrmServerApiKey *key, GError **error);
  /* The key with this hash, revoked or not; NULL if there is none. */
  CrmServerApiKey *(*find_api_key) (CrmServerBackend *self, const char *key_hash, GError **error);
  /* Every key, oldest first. */
  GPtrArray    *(*list_api_keys)   (CrmServerBackend *self, GError **error);
  /* G_IO_ERROR_NOT_FOUND when there is no key @id. */
  gboolean      (*revoke_api_key)  (CrmServerBackend *self, const char *id, GError **error);
  /* Rows of @table (deleted ones too) with seq > @after in seq order, at
   * most @limit: the API's pages. */
  GPtrArray    *(*rows_of_table)   (CrmServerBackend *self, const char *table, gint64 after, guint limit,
                                    GError **error);
  /* Live rows of @table whose JSON array @field holds the string @value
   * (a contact's emails or phones). */
  GPtrArray    *(*rows_with_element) (CrmServerBackend *self, const char *table, const char *field,
                                      const char *value, GError **error);
  /* Live rows of @table whose @field equals @value, found by an index: for
   * the keys the API matches records on, purchases.order_ref and
   * contacts.external_id (G_IO_ERROR_NOT_SUPPORTED for others). */
  GPtrArray    *(*rows_with_key)   (CrmServerBackend *self, const char *table, const char *field,
                                    const char *value, GError **error);
  /* Administration */
  /* Every user, by name. */
  GPtrArray    *(*list_users)      (CrmServerBackend *self, GError **error);
  /* Sets role, team, disabled and password hash of the user @user->id. */
  gboolean      (*update_user)     (CrmServerBackend *self, const CrmServerUser *user, GError **error);
  /* Records that @client_id of @user_id was seen at @seen_at (Unix ms);
   * @label (NULL: keep) names the device. */
  gboolean      (*touch_device)    (CrmServerBackend *self, const char *client_id, const char *user_id,
                                    const char *label, gint64 seen_at, GError **error);
  GPtrArray    *(*user_devices)    (CrmServerBackend *self, const char *user_id, GError **error);
  /* Revokes every token of @client_id; FALSE with G_IO_ERROR_NOT_FOUND
   * when no such device signed in. */
  gboolean      (*revoke_device)   (CrmServerBackend *self, const char *client_id, GError **error);
  /* Ids of the live contacts owned by @owner_id. */
  GPtrArray    *(*owned_contacts)  (CrmServerBackend *self, const char *owner_id, GError **error);
  gboolean      (*add_audit_entry) (CrmServerBackend *self, const CrmServerAuditEntry *entry, GError **error);
  GPtrArray    *(*list_audit)      (CrmServerBackend *self, const CrmServerAuditQuery *query, GError **error);
} CrmServerBackendVTable;

struct _CrmServerBackend
{
  const CrmServerBackendVTable *vtable;
};

CrmServerBackend *crm_server_sqlite_open (const char  *path,
                                          GError     **error);
/* @conninfo: a postgresql:// URL or a libpq "key=value" string. Creates or
 * updates the schema. Errors while serving are G_IO_ERROR_NOT_CONNECTED
 * (the database is unreachable) or G_IO_ERROR_BUSY (a lock conflict
 * PostgreSQL broke; trying again helps), besides G_IO_ERROR_FAILED. */
CrmServerBackend *crm_server_pg_open     (const char  *conninfo,
                                          GError     **error);

void crm_server_backend_free  (CrmServerBackend *self);
void crm_server_user_free     (CrmServerUser *user);
void crm_server_row_free      (CrmServerRow *row);
void crm_server_change_free   (CrmServerChange *change);
/* Sets the seq of the fields written in this transaction (those at 0). */
void crm_server_row_stamp_seq (CrmServerRow *row,
                               gint64        seq);
/* The contact a row hangs under (NULL for a contact or none). */
const char *crm_server_row_contact_id (CrmServerRow *row);

/* Which entry of a field's meta, [clock, seq, author]. */
typedef enum
{
  CRM_SERVER_META_CLOCK = 0,
  CRM_SERVER_META_AUTHOR = 2,
} CrmServerMetaEntry;

/* The clock (or author) every field of @row shares, NULL when one lacks
 * it, they differ, or the row has a single field. A pull then says it
 * once; storages keep it beside the row, written with it. */
const char *crm_server_row_shared_meta (const CrmServerRow *row,
                                        CrmServerMetaEntry  entry);
void crm_server_mutation_record_free (CrmServerMutationRecord *record);
void crm_server_api_key_free  (CrmServerApiKey *key);
void crm_server_device_free   (CrmServerDevice *device);
void crm_server_audit_entry_free (CrmServerAuditEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmServerBackend, crm_server_backend_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmServerUser, crm_server_user_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmServerRow, crm_server_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmServerMutationRecord, crm_server_mutation_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmServerApiKey, crm_server_api_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmServerDevice, crm_server_device_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmServerAuditEntry, crm_server_audit_entry_free)

G_END_DECLS
