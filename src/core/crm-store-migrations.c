/* crm-store-migrations.c: the numbered schema migrations of the local store */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-local-months.h"
#include "crm-store-private.h"

/* Columns every synced row carries (DESIGN.md §4). Timestamps are HLC text,
 * whose first 24 characters are an ISO 8601 UTC time. */
#define SYNCED_COLUMNS \
  "  id TEXT PRIMARY KEY NOT NULL CHECK (length (id) = 36),\n" \
  "  created_at TEXT NOT NULL,\n" \
  "  updated_at TEXT NOT NULL,\n" \
  "  server_version INTEGER NOT NULL DEFAULT 0,\n" \
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n" \
  "  owner_id TEXT,\n"

#define DATE_CHECK(col) "CHECK (" col " IS NULL OR date (" col ") IS " col ")"
#define TIMESTAMP_CHECK(col) "CHECK (" col " IS NULL OR julianday (" col ") IS NOT NULL)"
#define JSON_ARRAY_CHECK(col) "CHECK (json_valid (" col ") AND json_type (" col ") = 'array')"
#define BOOL_CHECK(col) "CHECK (" col " IN (0, 1))"
#define CURRENCY_COLUMN "  currency TEXT NOT NULL DEFAULT 'CNY' CHECK (length (currency) = 3 AND upper (currency) = currency),\n"
#define LIFECYCLE_VALUES "'lead', 'first_time', 'frequent', 'active', 'dormant', 'churned'"
#define FK(table) " REFERENCES " table " (id) DEFERRABLE INITIALLY DEFERRED"

/* Version 1: every entity of DESIGN.md §4.
 *
 * Columns declared JSON_TEXT hold JSON (TEXT affinity); the outbox triggers
 * embed them as JSON rather than as strings.
 *
 * contacts has an explicit `rid INTEGER PRIMARY KEY` and `id` UNIQUE: the
 * search index and the lazy list models refer to contacts by rowid, and
 * VACUUM renumbers implicit rowids. */
static const char migration_1[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT) WITHOUT ROWID;\n"
  "CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT) WITHOUT ROWID;\n"
  "CREATE TABLE local_state (\n"
  "  one INTEGER PRIMARY KEY CHECK (one = 1),\n"
  "  applying_remote INTEGER NOT NULL DEFAULT 0 CHECK (applying_remote IN (0, 1)),\n"
  "  defer_search INTEGER NOT NULL DEFAULT 0 CHECK (defer_search IN (0, 1)),\n"
  "  last_mutation_id INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "INSERT INTO local_state (one) VALUES (1);\n"
  "CREATE TABLE outbox (\n"
  "  mutation_id INTEGER PRIMARY KEY,\n"
  "  table_name TEXT NOT NULL,\n"
  "  row_id TEXT NOT NULL,\n"
  "  op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),\n"
  "  patch JSON_TEXT CHECK (patch IS NULL OR json_valid (patch)),\n"
  "  hlc TEXT NOT NULL,\n"
  "  created_at TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX outbox_row ON outbox (table_name, row_id);\n"
  "CREATE TABLE conflicts (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  table_name TEXT NOT NULL,\n"
  "  row_id TEXT NOT NULL,\n"
  "  field TEXT,\n"
  "  kind TEXT NOT NULL DEFAULT 'field' CHECK (kind IN ('field', 'delete_edit')),\n"
  "  local_value JSON_TEXT,\n"
  "  remote_value JSON_TEXT,\n"
  "  local_hlc TEXT,\n"
  "  remote_hlc TEXT,\n"
  "  winner TEXT NOT NULL CHECK (winner IN ('local', 'remote')),\n"
  "  resolved INTEGER NOT NULL DEFAULT 0 " BOOL_CHECK ("resolved") ",\n"
  "  created_at TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX conflicts_open ON conflicts (resolved, created_at);\n"
  "CREATE TABLE import_runs (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  started_at TEXT NOT NULL,\n"
  "  finished_at TEXT,\n"
  "  source_file TEXT,\n"
  "  format TEXT,\n"
  "  encoding TEXT,\n"
  "  rows_total INTEGER NOT NULL DEFAULT 0,\n"
  "  rows_inserted INTEGER NOT NULL DEFAULT 0,\n"
  "  rows_updated INTEGER NOT NULL DEFAULT 0,\n"
  "  rows_failed INTEGER NOT NULL DEFAULT 0,\n"
  "  errors JSON_TEXT NOT NULL DEFAULT '[]' " JSON_ARRAY_CHECK ("errors") ",\n"
  "  status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'cancelled'))\n"
  ");\n"
  /* Every user change, written by the same triggers as the outbox. Append
   * only; `seq` orders it and lets the sync engine push it incrementally. */
  "CREATE TABLE audit_log (\n"
  "  seq INTEGER PRIMARY KEY,\n"
  "  at TEXT NOT NULL,\n"
  "  user_id TEXT,\n"
  "  device TEXT,\n"
  "  table_name TEXT NOT NULL,\n"
  "  row_id TEXT NOT NULL,\n"
  "  action TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'restore')),\n"
  "  before JSON_TEXT,\n"
  "  after JSON_TEXT,\n"
  "  hlc TEXT\n"
  ");\n"
  "CREATE INDEX audit_log_row ON audit_log (table_name, row_id);\n"
  "CREATE INDEX audit_log_at ON audit_log (at);\n"

  "CREATE TABLE roles (\n"
  SYNCED_COLUMNS
  "  name TEXT NOT NULL CHECK (name IN ('admin', 'manager', 'analyst', 'sales', 'marketing', 'service')),\n"
  "  description TEXT\n"
  ");\n"
  "CREATE TABLE teams (\n"
  SYNCED_COLUMNS
  "  name TEXT NOT NULL CHECK (length (trim (name)) > 0),\n"
  "  manager_id TEXT\n"
  ");\n"
  "CREATE TABLE users (\n"
  SYNCED_COLUMNS
  "  username TEXT NOT NULL CHECK (length (trim (username)) > 0),\n"
  "  display_name TEXT,\n"
  "  email TEXT,\n"
  "  role_id TEXT" FK ("roles") ",\n"
  "  team_id TEXT" FK ("teams") ",\n"
  "  active INTEGER NOT NULL DEFAULT 1 " BOOL_CHECK ("active") "\n"
  ");\n"
  "CREATE INDEX users_team ON users (team_id);\n"

  "CREATE TABLE contacts (\n"
  "  rid INTEGER PRIMARY KEY,\n"
  "  id TEXT NOT NULL UNIQUE CHECK (length (id) = 36),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  server_version INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  owner_id TEXT,\n"
  "  kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'organization')),\n"
  "  name TEXT NOT NULL CHECK (length (trim (name)) > 0),\n"
  "  name_pinyin TEXT,\n"
  "  name_initials TEXT,\n"
  "  name_sort BLOB,\n"
  "  gender TEXT CHECK (gender IS NULL OR gender IN ('male', 'female', 'other')),\n"
  "  birthday TEXT " DATE_CHECK ("birthday") ",\n"
  "  occupation TEXT,\n"
  "  organization_id TEXT REFERENCES contacts (id) DEFERRABLE INITIALLY DEFERRED,\n"
  "  title TEXT,\n"
  "  emails JSON_TEXT NOT NULL DEFAULT '[]' " JSON_ARRAY_CHECK ("emails") ",\n"
  "  phones JSON_TEXT NOT NULL DEFAULT '[]' " JSON_ARRAY_CHECK ("phones") ",\n"
  "  address TEXT,\n"
  "  province TEXT,\n"
  "  city TEXT,\n"
  "  source TEXT,\n"
  "  lifecycle TEXT NOT NULL DEFAULT 'lead' CHECK (lifecycle IN (" LIFECYCLE_VALUES ")),\n"
  "  lifecycle_override TEXT CHECK (lifecycle_override IS NULL OR lifecycle_override IN (" LIFECYCLE_VALUES ")),\n"
  "  tags JSON_TEXT NOT NULL DEFAULT '[]' " JSON_ARRAY_CHECK ("tags") ",\n"
  "  consent_email INTEGER NOT NULL DEFAULT 0 " BOOL_CHECK ("consent_email") ",\n"
  "  consent_email_at TEXT " TIMESTAMP_CHECK ("consent_email_at") ",\n"
  "  consent_sms INTEGER NOT NULL DEFAULT 0 " BOOL_CHECK ("consent_sms") ",\n"
  "  consent_sms_at TEXT " TIMESTAMP_CHECK ("consent_sms_at") ",\n"
  "  notes TEXT,\n"
  "  external_id TEXT,\n"
  "  rfm_r INTEGER CHECK (rfm_r IS NULL OR rfm_r BETWEEN 1 AND 5),\n"
  "  rfm_f INTEGER CHECK (rfm_f IS NULL OR rfm_f BETWEEN 1 AND 5),\n"
  "  rfm_m INTEGER CHECK (rfm_m IS NULL OR rfm_m BETWEEN 1 AND 5),\n"
  "  rfm_segment TEXT CHECK (rfm_segment IS NULL OR rfm_segment IN ('champions', 'loyal', 'potential', 'new', 'at_risk', 'hibernating', 'lost')),\n"
  "  first_purchase_at TEXT,\n"
  "  last_purchase_at TEXT,\n"
  "  purchase_count INTEGER NOT NULL DEFAULT 0 CHECK (purchase_count >= 0),\n"
  "  total_spent INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE INDEX contacts_list ON contacts (deleted, name_sort);\n"
  "CREATE INDEX contacts_pinyin ON contacts (name_pinyin);\n"
  "CREATE INDEX contacts_organization ON contacts (organization_id) WHERE organization_id IS NOT NULL;\n"
  "CREATE INDEX contacts_external_id ON contacts (external_id) WHERE external_id IS NOT NULL;\n"
  "CREATE INDEX contacts_lifecycle ON contacts (deleted, lifecycle);\n"
  "CREATE INDEX contacts_rfm ON contacts (deleted, rfm_segment);\n"
  "CREATE INDEX contacts_owner ON contacts (owner_id, deleted);\n"
  "CREATE INDEX contacts_birthday ON contacts (substr (birthday, 6)) WHERE birthday IS NOT NULL;\n"

  "CREATE TABLE purchases (\n"
  SYNCED_COLUMNS
  "  contact_id TEXT NOT NULL" FK ("contacts") ",\n"
  "  product TEXT NOT NULL CHECK (length (trim (product)) > 0),\n"
  "  category TEXT,\n"
  "  quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),\n"
  "  amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),\n"
  CURRENCY_COLUMN
  "  purchased_at TEXT NOT NULL CHECK (julianday (purchased_at) IS NOT NULL),\n"
  "  channel TEXT,\n"
  "  order_ref TEXT\n"
  ");\n"
  "CREATE INDEX purchases_contact ON purchases (contact_id, purchased_at);\n"
  "CREATE INDEX purchases_at ON purchases (purchased_at);\n"

  "CREATE TABLE pipelines (\n"
  SYNCED_COLUMNS
  "  name TEXT NOT NULL CHECK (length (trim (name)) > 0),\n"
  "  position INTEGER NOT NULL DEFAULT 0,\n"
  "  is_default INTEGER NOT NULL DEFAULT 0 " BOOL_CHECK ("is_default") "\n"
  ");\n"
  "CREATE TABLE stages (\n"
  SYNCED_COLUMNS
  "  pipeline_id TEXT NOT NULL" FK ("pipelines") ",\n"
  "  name TEXT NOT NULL CHECK (length (trim (name)) > 0),\n"
  "  position INTEGER NOT NULL DEFAULT 0,\n"
  "  probability INTEGER NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),\n"
  "  is_won INTEGER NOT NULL DEFAULT 0 " BOOL_CHECK ("is_won") ",\n"
  "  is_lost INTEGER NOT NULL DEFAULT 0 " BOOL_CHECK ("is_lost") ",\n"
  "  CHECK (NOT (is_won AND is_lost))\n"
  ");\n"
  "CREATE INDEX stages_pipeline ON stages (pipeline_id, position);\n"
  "CREATE TABLE deals (\n"
  SYNCED_COLUMNS
  "  contact_id TEXT" FK ("contacts") ",\n"
  "  pipeline_id TEXT" FK ("pipelines") ",\n"
  "  stage_id TEXT" FK ("stages") ",\n"
  "  title TEXT NOT NULL CHECK (length (trim (title)) > 0),\n"
  "  amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),\n"
  CURRENCY_COLUMN
  "  expected_close TEXT " DATE_CHECK ("expected_close") ",\n"
  "  closed_at TEXT " TIMESTAMP_CHECK ("closed_at") ",\n"
  "  lost_reason TEXT\n"
  ");\n"
  "CREATE INDEX deals_stage ON deals (stage_id, deleted);\n"
  "CREATE INDEX deals_contact ON deals (contact_id);\n"
  "CREATE INDEX deals_owner ON deals (owner_id);\n"
  "CREATE INDEX deals_closed ON deals (closed_at) WHERE closed_at IS NOT NULL;\n"
  "CREATE TABLE deal_stage_history (\n"
  SYNCED_COLUMNS
  "  deal_id TEXT NOT NULL" FK ("deals") ",\n"
  "  from_stage_id TEXT,\n"
  "  to_stage_id TEXT NOT NULL,\n"
  "  at TEXT NOT NULL,\n"
  "  by_user_id TEXT\n"
  ");\n"
  "CREATE INDEX deal_stage_history_deal ON deal_stage_history (deal_id, at);\n"

  "CREATE TABLE activities (\n"
  SYNCED_COLUMNS
  "  contact_id TEXT" FK ("contacts") ",\n"
  "  deal_id TEXT" FK ("deals") ",\n"
  "  kind TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'visit', 'note', 'task', 'complaint')),\n"
  "  subject TEXT,\n"
  "  body TEXT,\n"
  "  due_at TEXT " TIMESTAMP_CHECK ("due_at") ",\n"
  "  done_at TEXT " TIMESTAMP_CHECK ("done_at") ",\n"
  "  assignee_id TEXT,\n"
  "  priority TEXT CHECK (priority IS NULL OR priority IN ('low', 'normal', 'high', 'urgent')),\n"
  "  status TEXT CHECK (status IS NULL OR status IN ('open', 'in_progress', 'resolved', 'closed')),\n"
  "  first_response_at TEXT " TIMESTAMP_CHECK ("first_response_at") ",\n"
  "  resolved_at TEXT " TIMESTAMP_CHECK ("resolved_at") ",\n"
  "  resolution TEXT,\n"
  "  satisfaction INTEGER CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5)\n"
  ");\n"
  "CREATE INDEX activities_contact ON activities (contact_id, created_at);\n"
  "CREATE INDEX activities_deal ON activities (deal_id) WHERE deal_id IS NOT NULL;\n"
  "CREATE INDEX activities_complaints ON activities (kind, status, created_at);\n"
  "CREATE INDEX activities_assignee ON activities (assignee_id, done_at, due_at);\n"

  "CREATE TABLE segments (\n"
  SYNCED_COLUMNS
  "  name TEXT NOT NULL CHECK (length (trim (name)) > 0),\n"
  "  description TEXT,\n"
  "  rule JSON_TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (rule))\n"
  ");\n"
  "CREATE TABLE campaigns (\n"
  SYNCED_COLUMNS
  "  name TEXT NOT NULL CHECK (length (trim (name)) > 0),\n"
  "  segment_id TEXT" FK ("segments") ",\n"
  "  channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms', 'letter', 'phone')),\n"
  "  subject TEXT,\n"
  "  templates JSON_TEXT NOT NULL DEFAULT '{}' CHECK (json_valid (templates)),\n"
  "  scheduled_at TEXT " TIMESTAMP_CHECK ("scheduled_at") ",\n"
  "  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'running', 'done', 'cancelled')),\n"
  "  sent_at TEXT " TIMESTAMP_CHECK ("sent_at") "\n"
  ");\n"
  "CREATE TABLE campaign_members (\n"
  SYNCED_COLUMNS
  "  campaign_id TEXT NOT NULL" FK ("campaigns") ",\n"
  "  contact_id TEXT NOT NULL" FK ("contacts") ",\n"
  "  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'opened', 'responded', 'converted', 'unsubscribed')),\n"
  "  sent_at TEXT,\n"
  "  opened_at TEXT,\n"
  "  responded_at TEXT,\n"
  "  converted_at TEXT,\n"
  "  error TEXT\n"
  ");\n"
  "CREATE INDEX campaign_members_campaign ON campaign_members (campaign_id, status);\n"
  "CREATE INDEX campaign_members_contact ON campaign_members (contact_id);\n"

  "CREATE TABLE surveys (\n"
  SYNCED_COLUMNS
  "  title TEXT NOT NULL CHECK (length (trim (title)) > 0),\n"
  "  description TEXT,\n"
  "  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),\n"
  "  opens_at TEXT " TIMESTAMP_CHECK ("opens_at") ",\n"
  "  closes_at TEXT " TIMESTAMP_CHECK ("closes_at") "\n"
  ");\n"
  "CREATE TABLE survey_questions (\n"
  SYNCED_COLUMNS
  "  survey_id TEXT NOT NULL" FK ("surveys") ",\n"
  "  position INTEGER NOT NULL DEFAULT 0,\n"
  "  kind TEXT NOT NULL CHECK (kind IN ('nps', 'csat', 'rating', 'single', 'multi', 'text')),\n"
  "  text TEXT NOT NULL,\n"
  "  options JSON_TEXT NOT NULL DEFAULT '[]' " JSON_ARRAY_CHECK ("options") ",\n"
  "  required INTEGER NOT NULL DEFAULT 0 " BOOL_CHECK ("required") "\n"
  ");\n"
  "CREATE INDEX survey_questions_survey ON survey_questions (survey_id, position);\n"
  "CREATE TABLE survey_responses (\n"
  SYNCED_COLUMNS
  "  survey_id TEXT NOT NULL" FK ("surveys") ",\n"
  "  contact_id TEXT" FK ("contacts") ",\n"
  "  channel TEXT,\n"
  "  submitted_at TEXT " TIMESTAMP_CHECK ("submitted_at") "\n"
  ");\n"
  "CREATE INDEX survey_responses_survey ON survey_responses (survey_id, submitted_at);\n"
  "CREATE INDEX survey_responses_contact ON survey_responses (contact_id);\n"
  "CREATE TABLE survey_answers (\n"
  SYNCED_COLUMNS
  "  response_id TEXT NOT NULL" FK ("survey_responses") ",\n"
  "  question_id TEXT NOT NULL" FK ("survey_questions") ",\n"
  "  value_number INTEGER,\n"
  "  value_text TEXT,\n"
  "  value_choices JSON_TEXT CHECK (value_choices IS NULL OR json_valid (value_choices))\n"
  ");\n"
  "CREATE INDEX survey_answers_response ON survey_answers (response_id);\n"
  "CREATE INDEX survey_answers_question ON survey_answers (question_id);\n";

/* Version 2: what import, export, dedupe and merge need.
 *
 * - contact_identities: every live contact's emails (lowercased) and phone
 *   numbers (E.164), kept by triggers, so "who has this number?" is an
 *   index lookup for update-by-key import and duplicate detection.
 * - import_runs gains the kind of import, the skipped count and an
 *   'undone' status (SQLite cannot alter a CHECK, hence the copy), and
 *   import_run_changes records what each run wrote, so it can be undone.
 * - merges records each contact merge for undo.
 * - indexes for the lookups import makes per row. */
static const char migration_2[] =
  "CREATE TABLE contact_identities (\n"
  "  kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')),\n"
  "  value TEXT NOT NULL,\n"
  "  rid INTEGER NOT NULL,\n"
  "  PRIMARY KEY (kind, value, rid)) WITHOUT ROWID;\n"
  "CREATE INDEX contact_identities_rid ON contact_identities (rid);\n"
  "CREATE TRIGGER contacts_identities_insert AFTER INSERT ON contacts WHEN NEW.deleted = 0\n"
  "BEGIN\n"
  "  INSERT OR IGNORE INTO contact_identities (kind, value, rid)\n"
  "    SELECT 'email', lower (value), NEW.rid FROM json_each (NEW.emails)\n"
  "    UNION ALL\n"
  "    SELECT 'phone', json_extract (value, '$.e164'), NEW.rid FROM json_each (NEW.phones)\n"
  "      WHERE json_extract (value, '$.e164') IS NOT NULL;\n"
  "END;\n"
  "CREATE TRIGGER contacts_identities_update AFTER UPDATE OF emails, phones, deleted ON contacts\n"
  "BEGIN\n"
  "  DELETE FROM contact_identities WHERE rid = OLD.rid;\n"
  "  INSERT OR IGNORE INTO contact_identities (kind, value, rid)\n"
  "    SELECT 'email', lower (value), NEW.rid FROM json_each (NEW.emails) WHERE NEW.deleted = 0\n"
  "    UNION ALL\n"
  "    SELECT 'phone', json_extract (value, '$.e164'), NEW.rid FROM json_each (NEW.phones)\n"
  "      WHERE NEW.deleted = 0 AND json_extract (value, '$.e164') IS NOT NULL;\n"
  "END;\n"
  "CREATE TRIGGER contacts_identities_delete AFTER DELETE ON contacts\n"
  "BEGIN\n"
  "  DELETE FROM contact_identities WHERE rid = OLD.rid;\n"
  "END;\n"
  "INSERT OR IGNORE INTO contact_identities (kind, value, rid)\n"
  "  SELECT 'email', lower (e.value), c.rid FROM contacts c, json_each (c.emails) e WHERE c.deleted = 0\n"
  "  UNION ALL\n"
  "  SELECT 'phone', json_extract (p.value, '$.e164'), c.rid FROM contacts c, json_each (c.phones) p\n"
  "    WHERE c.deleted = 0 AND json_extract (p.value, '$.e164') IS NOT NULL;\n"
  "CREATE INDEX contacts_organization_name ON contacts (name) WHERE kind = 'organization';\n"
  "CREATE INDEX purchases_order_ref ON purchases (order_ref) WHERE order_ref IS NOT NULL;\n"

  "CREATE TABLE import_runs_2 (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  kind TEXT NOT NULL DEFAULT 'contacts' CHECK (kind IN ('contacts', 'purchases')),\n"
  "  started_at TEXT NOT NULL,\n"
  "  finished_at TEXT,\n"
  "  source_file TEXT,\n"
  "  format TEXT,\n"
  "  encoding TEXT,\n"
  "  rows_total INTEGER NOT NULL DEFAULT 0,\n"
  "  rows_inserted INTEGER NOT NULL DEFAULT 0,\n"
  "  rows_updated INTEGER NOT NULL DEFAULT 0,\n"
  "  rows_skipped INTEGER NOT NULL DEFAULT 0,\n"
  "  rows_failed INTEGER NOT NULL DEFAULT 0,\n"
  "  errors JSON_TEXT NOT NULL DEFAULT '[]' " JSON_ARRAY_CHECK ("errors") ",\n"
  "  status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'undone')),\n"
  "  undone_at TEXT\n"
  ");\n"
  "INSERT INTO import_runs_2 (id, started_at, finished_at, source_file, format, encoding,\n"
  "  rows_total, rows_inserted, rows_updated, rows_failed, errors, status)\n"
  "  SELECT id, started_at, finished_at, source_file, format, encoding,\n"
  "    rows_total, rows_inserted, rows_updated, rows_failed, errors, status FROM import_runs;\n"
  "DROP TABLE import_runs;\n"
  "ALTER TABLE import_runs_2 RENAME TO import_runs;\n"
  "CREATE TABLE import_run_changes (\n"
  "  seq INTEGER PRIMARY KEY,\n"
  "  run_id TEXT NOT NULL REFERENCES import_runs (id),\n"
  "  table_name TEXT NOT NULL,\n"
  "  row_id TEXT NOT NULL,\n"
  "  action TEXT NOT NULL CHECK (action IN ('insert', 'update')),\n"
  "  before JSON_TEXT CHECK (before IS NULL OR json_valid (before))\n"
  ");\n"
  "CREATE INDEX import_run_changes_run ON import_run_changes (run_id, seq);\n"

  "CREATE TABLE merges (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  at TEXT NOT NULL,\n"
  "  user_id TEXT,\n"
  "  primary_id TEXT NOT NULL,\n"
  "  other_id TEXT NOT NULL,\n"
  "  before JSON_TEXT NOT NULL CHECK (json_valid (before)),\n"
  "  moved JSON_TEXT NOT NULL CHECK (json_valid (moved)),\n"
  "  undone_at TEXT\n"
  ");\n"
  "CREATE INDEX merges_other ON merges (other_id);\n";

typedef gboolean (*MigrationHook) (sqlite3 *db, GError **error);

static gboolean migration_1_hook (sqlite3 *db, GError **error);

/* Version 3: contact_search_fields, whole field values for exact and
 * prefix matches of search queries of three characters or more, served
 * from an index in rank order (see crm-contact-search.c). The hook fills it
 * from the contacts already stored. */
static const char migration_3[] = "";

/* Version 4, for the sales pipeline board:
 * - deals.position orders the cards within a stage (lower first, then by
 *   expected close), so a card dragged within a column stays where it was
 *   put; gaps let one move write one row.
 * - deals.notes: what a salesperson keeps about the deal.
 * - pipelines.monthly_target: the amount a pipeline should win per month
 *   (minor units, 0 = none), for "won vs target" in the forecast.
 * The hook writes the outbox triggers of both tables again, so the new
 * columns sync. */
static const char migration_4[] =
  "ALTER TABLE deals ADD COLUMN position INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE deals ADD COLUMN notes TEXT;\n"
  "ALTER TABLE pipelines ADD COLUMN monthly_target INTEGER NOT NULL DEFAULT 0 CHECK (monthly_target >= 0);\n"
  "CREATE INDEX deals_pipeline ON deals (pipeline_id, deleted);\n";

static gboolean migration_4_hook (sqlite3 *db, GError **error);

/* Version 5: surveys and service.
 *
 * - activities gain the category of a complaint and the survey response a
 *   complaint was opened for (a detractor's follow-up); no foreign key,
 *   like assignee_id: a pulled complaint may arrive before its response.
 * - survey_invitations: one per member a survey was sent to. Its id is
 *   derived from the one-time token of the member's web-form link
 *   (crm_survey_invitation_id_for_token()), so the server finds it without
 *   ever storing the token itself; used_at and response_id record the
 *   answer. */
static const char migration_5[] =
  "ALTER TABLE activities ADD COLUMN category TEXT;\n"
  "ALTER TABLE activities ADD COLUMN survey_response_id TEXT;\n"
  "CREATE INDEX activities_survey_response ON activities (survey_response_id)"
  " WHERE survey_response_id IS NOT NULL;\n"
  "CREATE TABLE survey_invitations (\n"
  SYNCED_COLUMNS
  "  survey_id TEXT NOT NULL" FK ("surveys") ",\n"
  "  contact_id TEXT" FK ("contacts") ",\n"
  "  channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms', 'letter', 'phone', 'web')),\n"
  "  expires_at TEXT " TIMESTAMP_CHECK ("expires_at") ",\n"
  "  used_at TEXT " TIMESTAMP_CHECK ("used_at") ",\n"
  "  response_id TEXT" FK ("survey_responses") "\n"
  ");\n"
  "CREATE INDEX survey_invitations_survey ON survey_invitations (survey_id, contact_id);\n";

static gboolean
migration_5_hook (sqlite3  *db,
                  GError  **error)
{
  return crm_store_create_sync_triggers (db, "activities", error) &&
         crm_store_create_sync_triggers (db, "survey_invitations", error);
}

/* Version 6: campaigns and greetings.
 *
 * - campaigns count who launch left out (no consent, no address for the
 *   channel) and carry their attribution window.
 * - campaign_members remember the variant (segment) and the address each
 *   member was frozen with, and the delivery worker's bookkeeping: attempts,
 *   when to retry, and sending_at, set before a message is handed to the
 *   relay and cleared after, so a restart knows which sends were cut off
 *   (those are never retried: nobody gets a message twice). The bookkeeping
 *   stays on this replica.
 * - activities.greeting_key ("birthday:2026", "mid_autumn:2026") with a
 *   unique index, so a greeting is recorded once per contact and occasion. */
static const char migration_6[] =
  "ALTER TABLE campaigns ADD COLUMN excluded_no_consent INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE campaigns ADD COLUMN excluded_no_address INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE campaigns ADD COLUMN attribution_days INTEGER NOT NULL DEFAULT 30"
  " CHECK (attribution_days BETWEEN 1 AND 365);\n"
  "ALTER TABLE campaign_members ADD COLUMN variant TEXT;\n"
  "ALTER TABLE campaign_members ADD COLUMN address TEXT;\n"
  "ALTER TABLE campaign_members ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE campaign_members ADD COLUMN next_attempt_at TEXT;\n"
  "ALTER TABLE campaign_members ADD COLUMN sending_at TEXT;\n"
  "ALTER TABLE activities ADD COLUMN greeting_key TEXT;\n"
  "CREATE UNIQUE INDEX activities_greeting ON activities (contact_id, greeting_key)"
  " WHERE greeting_key IS NOT NULL;\n";

static gboolean
migration_6_hook (sqlite3  *db,
                  GError  **error)
{
  return crm_store_create_sync_triggers (db, "campaigns", error) &&
         crm_store_create_sync_triggers (db, "campaign_members", error) &&
         crm_store_create_sync_triggers (db, "activities", error);
}

/* Version 7: open tasks by due date.
 *
 * The overdue count (the sidebar's badge, looked at every 30 s), the tasks
 * coming due and My Tasks read only open tasks; without an index each read
 * scanned every activity (over a second with a million contacts). kind
 * leads so the planner prefers it to activities_complaints (kind, ...). */
static const char migration_7[] =
  "CREATE INDEX activities_open_tasks ON activities (kind, due_at)"
  " WHERE kind = 'task' AND done_at IS NULL AND deleted = 0;\n";

/* Version 8: purchases and contacts as the analytics read them.
 *
 * Every KPI reads the period's purchases (date, deleted, buyer, amount)
 * and checks each buyer (deleted, owner, province, segment). Through
 * indexes that hold those columns SQLite never visits the rows: the
 * monthly report of 20,000 customers took 35 % less CPU. The two purchase
 * indexes replace the narrower ones they start with. */
static const char migration_8[] =
  "DROP INDEX purchases_at;\n"
  "CREATE INDEX purchases_at_amount ON purchases (purchased_at, deleted, contact_id, amount);\n"
  "DROP INDEX purchases_contact;\n"
  "CREATE INDEX purchases_contact_at ON purchases (contact_id, purchased_at, deleted);\n"
  "CREATE INDEX contacts_analytics ON contacts (id, deleted, owner_id, province, rfm_segment);\n";

/* Who made the other side of a conflict (the server's user name), so the
 * conflicts view can say more than "another computer". */
static const char migration_9[] =
  "ALTER TABLE conflicts ADD COLUMN remote_by TEXT;\n";

/* Migration 10's triggers: what a purchase adds to the summaries and takes
 * away from them. */
/* The buyer's purchase before the last (the second latest; NULL: one). */
#define PREV_AT(contact) \
  "(SELECT purchased_at FROM purchases WHERE contact_id = " contact " AND deleted = 0" \
  " ORDER BY purchased_at DESC LIMIT 1 OFFSET 1)"
/* An insert: NEW added to the buyer's row and to its hour. */
#define STATS_ADD_NEW \
  "  INSERT INTO purchase_stats (contact_id, first_at, last_at, orders, revenue)\n" \
  "  SELECT NEW.contact_id, NEW.purchased_at, NEW.purchased_at, 1, NEW.amount WHERE NEW.deleted = 0\n" \
  "  ON CONFLICT (contact_id) DO UPDATE SET first_at = min (first_at, excluded.first_at),\n" \
  "    prev_at = CASE WHEN excluded.last_at >= last_at THEN last_at\n" \
  "                   WHEN prev_at IS NULL OR excluded.last_at > prev_at THEN excluded.last_at ELSE prev_at END,\n" \
  "    last_at = max (last_at, excluded.last_at), orders = orders + 1, revenue = revenue + excluded.revenue;\n" \
  HOURS_ADD_NEW
#define HOURS_ADD_NEW \
  "  INSERT INTO purchase_hours (hour, orders, revenue)\n" \
  "  SELECT substr (NEW.purchased_at, 1, 13), 1, NEW.amount WHERE NEW.deleted = 0\n" \
  "  ON CONFLICT (hour) DO UPDATE SET orders = orders + 1, revenue = revenue + excluded.revenue;\n"
#define HOURS_REMOVE_OLD \
  "  UPDATE purchase_hours SET orders = orders - 1, revenue = revenue - OLD.amount\n" \
  "  WHERE hour = substr (OLD.purchased_at, 1, 13) AND OLD.deleted = 0;\n" \
  "  DELETE FROM purchase_hours WHERE hour = substr (OLD.purchased_at, 1, 13) AND orders <= 0;\n"
/* The buyer's dates from the purchases as they are after the change. */
#define STATS_DATES(contact) \
  "    first_at = (SELECT min (purchased_at) FROM purchases WHERE contact_id = " contact " AND deleted = 0),\n" \
  "    last_at = (SELECT max (purchased_at) FROM purchases WHERE contact_id = " contact " AND deleted = 0),\n" \
  "    prev_at = " PREV_AT (contact) "\n"
/* A delete: OLD taken away; the dates are looked up again only when OLD
 * was the first, the last or the one before. */
#define STATS_REMOVE_OLD \
  "  UPDATE purchase_stats SET orders = orders - 1, revenue = revenue - OLD.amount\n" \
  "  WHERE contact_id = OLD.contact_id AND OLD.deleted = 0;\n" \
  "  DELETE FROM purchase_stats WHERE contact_id = OLD.contact_id AND orders <= 0;\n" \
  "  UPDATE purchase_stats SET\n" \
  STATS_DATES ("OLD.contact_id") \
  "  WHERE contact_id = OLD.contact_id AND OLD.deleted = 0\n" \
  "  AND (first_at = OLD.purchased_at OR prev_at IS NULL OR OLD.purchased_at >= prev_at);\n" \
  HOURS_REMOVE_OLD
/* An update: the counts move from OLD to NEW, and both buyers' dates are
 * looked up again (updates are few; an edit may move any of them). */
#define STATS_UPDATE \
  "  UPDATE purchase_stats SET orders = orders - 1, revenue = revenue - OLD.amount\n" \
  "  WHERE contact_id = OLD.contact_id AND OLD.deleted = 0;\n" \
  "  INSERT INTO purchase_stats (contact_id, orders, revenue)\n" \
  "  SELECT NEW.contact_id, 1, NEW.amount WHERE NEW.deleted = 0\n" \
  "  ON CONFLICT (contact_id) DO UPDATE SET orders = orders + 1, revenue = revenue + excluded.revenue;\n" \
  "  DELETE FROM purchase_stats WHERE contact_id IN (OLD.contact_id, NEW.contact_id) AND orders <= 0;\n" \
  "  UPDATE purchase_stats SET\n" \
  STATS_DATES ("purchase_stats.contact_id") \
  "  WHERE contact_id IN (OLD.contact_id, NEW.contact_id);\n" \
  HOURS_REMOVE_OLD \
  HOURS_ADD_NEW

/* Version 10: purchase summaries the analytics read instead of history.
 *
 * The monthly report asked every customer's first and last purchase, and
 * sums over a year or more, of all purchases; with 5 million of them that
 * took minutes. Two tables kept by triggers in the writing transaction,
 * whoever writes (the app, an import and its undo, sync, the sqlite3
 * shell), hold the same figures over non-deleted purchases:
 *
 *  - purchase_stats: per buyer, first and last purchased_at, orders and
 *    revenue, and the purchase before the last (which is the last before
 *    any time between the two: the common case of "the last purchase
 *    before the period" for a customer who bought once since). contacts.first_purchase_at and friends are not the same:
 *    they are as of today and recomputed by the app after its own writes.
 *  - purchase_hours: orders and revenue per UTC hour (the first 13
 *    characters of purchased_at), whatever the buyer; a period's local
 *    midnights are whole UTC hours in most zones, and the partial hours at
 *    the edges are read from purchases.
 *
 * Removing a purchase recomputes the buyer's first or last only when it
 * was that one (two probes of purchases_contact_at). Both tables are
 * filled from the purchases already there.
 *
 * Two contact indexes for the same report: the leads of a period (by
 * created_at, which nothing indexed), and the lifecycle distribution
 * (contacts_lifecycle gains the override, so it is read alone). */
static const char migration_10[] =
  "CREATE TABLE purchase_stats (\n"
  "  contact_id TEXT PRIMARY KEY NOT NULL,\n"
  "  first_at TEXT,\n"
  "  last_at TEXT,\n"
  "  orders INTEGER NOT NULL,\n"
  "  revenue INTEGER NOT NULL,\n"
  "  prev_at TEXT\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX purchase_stats_first ON purchase_stats (first_at);\n"
  "CREATE INDEX purchase_stats_last ON purchase_stats (last_at, prev_at);\n"
  "CREATE TABLE purchase_hours (\n"
  "  hour TEXT PRIMARY KEY NOT NULL,\n"
  "  orders INTEGER NOT NULL,\n"
  "  revenue INTEGER NOT NULL\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX contacts_created ON contacts (created_at);\n"
  "DROP INDEX contacts_lifecycle;\n"
  "CREATE INDEX contacts_lifecycle ON contacts (deleted, lifecycle, lifecycle_override);\n"
  "INSERT INTO purchase_stats (contact_id, first_at, last_at, orders, revenue, prev_at)\n"
  "  SELECT p.contact_id, min (p.purchased_at), max (p.purchased_at), count (*), sum (p.amount),\n"
  "   " PREV_AT ("p.contact_id") "\n"
  "  FROM purchases p WHERE p.deleted = 0 GROUP BY p.contact_id;\n"
  "INSERT INTO purchase_hours (hour, orders, revenue)\n"
  "  SELECT substr (purchased_at, 1, 13), count (*), sum (amount)\n"
  "  FROM purchases WHERE deleted = 0 GROUP BY 1;\n"

  "CREATE TRIGGER purchases_stats_insert AFTER INSERT ON purchases WHEN NEW.deleted = 0\n"
  "BEGIN\n"
  STATS_ADD_NEW
  "END;\n"
  "CREATE TRIGGER purchases_stats_delete AFTER DELETE ON purchases WHEN OLD.deleted = 0\n"
  "BEGIN\n"
  STATS_REMOVE_OLD
  "END;\n"
  "CREATE TRIGGER purchases_stats_update AFTER UPDATE OF contact_id, purchased_at, amount, deleted ON purchases\n"
  "WHEN (OLD.deleted = 0 OR NEW.deleted = 0) AND (OLD.contact_id IS NOT NEW.contact_id\n"
  "  OR OLD.purchased_at IS NOT NEW.purchased_at OR OLD.amount IS NOT NEW.amount OR OLD.deleted IS NOT NEW.deleted)\n"
  "BEGIN\n"
  STATS_UPDATE
  "END;\n";
#undef STATS_ADD_NEW
#undef STATS_REMOVE_OLD
#undef STATS_UPDATE
#undef STATS_DATES
#undef HOURS_ADD_NEW
#undef HOURS_REMOVE_OLD
#undef PREV_AT

/* Version 11: segment counts that read indexes, not rows.
 *
 * Counting a 4-condition segment of 1M contacts took 7 s: the planner
 * scanned the partial index contacts_birthday (any birthday comparison
 * implies its WHERE) and looked up every contact through it, and each
 * purchase condition read purchase rows for their category. Now:
 *
 *  - contacts_birthday without its WHERE (the reminders' MM-DD ranges
 *    use it as before), so a birthday range no longer makes it look
 *    like a cheap way to read contacts;
 *  - contacts_segment holds the columns rules test that are short (not
 *    names, occupations or tags), province and birthday first so
 *    "province eq" and an age range within it seek, and any other rule
 *    over them scans this index instead of the table;
 *  - purchases_contact_facts replaces purchases_contact_at (same leading
 *    columns, so the triggers and analytics read it as before) and adds
 *    category and product, so "bought X within N days" reads no purchase
 *    row. */
static const char migration_11[] =
  "DROP INDEX contacts_birthday;\n"
  "CREATE INDEX contacts_birthday ON contacts (substr (birthday, 6));\n"
  "CREATE INDEX contacts_segment ON contacts (province, birthday, deleted, lifecycle, lifecycle_override,\n"
  "  gender, rfm_segment, rfm_r, rfm_f, rfm_m, total_spent, purchase_count, last_purchase_at, first_purchase_at,\n"
  "  city, kind, source, consent_email, consent_sms, id);\n"
  "DROP INDEX purchases_contact_at;\n"
  "CREATE INDEX purchases_contact_facts ON purchases (contact_id, purchased_at, deleted, category, product);\n";

/* Version 12: purchases per customer and local month, and cohort × month
 * counts, for cohort retention without reading the purchases: see
 * crm-local-months.c, whose hook fills them and adds their triggers. */
static const char migration_12[] =
  "CREATE TABLE local_months (\n"
  "  start_at TEXT PRIMARY KEY NOT NULL,\n"
  "  month INTEGER NOT NULL\n"
  ") WITHOUT ROWID;\n"
  "CREATE TABLE purchase_months (\n"
  "  contact_id TEXT NOT NULL,\n"
  "  month INTEGER NOT NULL,\n"
  "  orders INTEGER NOT NULL,\n"
  "  PRIMARY KEY (contact_id, month)\n"
  ") WITHOUT ROWID;\n"
  "CREATE TABLE cohort_months (\n"
  "  cohort INTEGER NOT NULL,\n"
  "  month INTEGER NOT NULL,\n"
  "  customers INTEGER NOT NULL,\n"
  "  PRIMARY KEY (cohort, month)\n"
  ") WITHOUT ROWID;\n";

/* Version 13: the products (line items) of a deal. A line is priced in
 * its deal's currency, unit_price in minor units like deals.amount, so
 * the deal's total is a plain sum; quantity is whole (pieces, licences,
 * hours), as in purchases. position orders the lines as the user added
 * them. */
static const char migration_13[] =
  "CREATE TABLE deal_products (\n"
  SYNCED_COLUMNS
  "  deal_id TEXT NOT NULL" FK ("deals") ",\n"
  "  product TEXT NOT NULL CHECK (length (trim (product)) > 0),\n"
  "  quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),\n"
  "  unit_price INTEGER NOT NULL DEFAULT 0 CHECK (unit_price >= 0),\n"
  "  position INTEGER NOT NULL DEFAULT 0\n"
  ");\n"
  "CREATE INDEX deal_products_deal ON deal_products (deal_id, position);\n";

static gboolean
migration_13_hook (sqlite3  *db,
                   GError  **error)
{
  return crm_store_create_sync_triggers (db, "deal_products", error);
}

typedef struct
{
  const char *sql;
  MigrationHook hook;    /* runs after @sql, in the same transaction */
} Migration;

/* Index i holds the migration to version i + 1. Never edit a released one:
 * add a new one. */
static const Migration migrations[] = {
  { migration_1, migration_1_hook },
  { migration_2, NULL },
  { migration_3, crm_contact_search_install_fields },
  { migration_4, migration_4_hook },
  { migration_5, migration_5_hook },
  { migration_6, migration_6_hook },
  { migration_7, NULL },
  { migration_8, NULL },
  { migration_9, NULL },
  { migration_10, NULL },
  { migration_11, NULL },
  { migration_12, crm_local_months_fill },
  { migration_13, migration_13_hook },
};

/* Tables replicated through the outbox, in dependency order. */
static const char * const synced_tables[] = {
  "roles", "teams", "users",
  "contacts", "purchases",
  "pipelines", "stages", "deals", "deal_products", "deal_stage_history", "activities",
  "segments", "campaigns", "campaign_members",
  "surveys", "survey_questions", "survey_responses", "survey_answers",
  "survey_invitations",
  NULL
};

/* Columns that stay on this replica: bookkeeping, and values each replica
 * derives from others (pinyin, lifecycle, RFM), which would only produce
 * needless mutations and conflicts if they were synced. */
static const char * const local_columns[] = {
  "rid", "id", "updated_at", "server_version", NULL
};
static const char * const contact_derived_columns[] = {
  "name_pinyin", "name_initials", "name_sort", "lifecycle",
  "rfm_r", "rfm_f", "rfm_m", "rfm_segment",
  "first_purchase_at", "last_purchase_at", "purchase_count", "total_spent",
  NULL
};

guint
crm_store_migrations_latest (void)
{
  return G_N_ELEMENTS (migrations);
}

const char * const *
crm_store_get_synced_tables (void)
{
  return synced_tables;
}

gboolean
crm_store_table_is_synced (const char *table)
{
  return table != NULL && g_strv_contains (synced_tables, table);
}

/* The delivery worker's bookkeeping (migration 6). */
static const char * const campaign_member_local_columns[] = {
  "attempts", "next_attempt_at", "sending_at", NULL
};

static gboolean
column_is_synced (const char *table,
                  const char *column)
{
  if (g_str_equal (table, "campaign_members") && g_strv_contains (campaign_member_local_columns, column))
    return FALSE;
  if (g_strv_contains (local_columns, column))
    return FALSE;
  if (g_str_equal (table, "contacts") && g_strv_contains (contact_derived_columns, column))
    return FALSE;
  return TRUE;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          const char  *path,
          GError     **error)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &errmsg);

  if (rc != SQLITE_OK)
    {
      crm_store_set_error (error, sqlite3_extended_errcode (db), path, errmsg);
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

/* Appends `expr` for one column's value, wrapping JSON columns in json() so
 * the patch embeds them as JSON rather than as a string. */
static void
append_value (GString    *s,
              const char *row,
              const char *column,
              gboolean    is_json)
{
  if (is_json)
    g_string_append_printf (s, "json (%s.%s)", row, column);
  else
    g_string_append_printf (s, "%s.%s", row, column);
}

/* Used inside printf formats, hence the doubled percent signs. */
#define NOW_SQL "strftime ('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now')"
#define NEXT_MUTATION_SQL "UPDATE local_state SET last_mutation_id = last_mutation_id + 1;\n"
#define AUDIT_COLUMNS "INSERT INTO audit_log (at, user_id, device, table_name, row_id, action, before, after, hlc)\n"
#define AUDIT_WHO "(SELECT value FROM meta WHERE key = 'user_id'), (SELECT value FROM meta WHERE key = 'device')"

/* The synced columns of @table as they are now, and whether each holds JSON. */
static gboolean
synced_columns (sqlite3     *db,
                const char  *table,
                GPtrArray   *names,
                GArray      *json,
                GError     **error)
{
  static const char columns_sql[] = "SELECT name, type FROM pragma_table_info (?)";
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, columns_sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *name = (const char *) sqlite3_column_text (stmt, 0);
          const char *type = (const char *) sqlite3_column_text (stmt, 1);
          gboolean is_json = g_strcmp0 (type, "JSON_TEXT") == 0;

          if (!column_is_synced (table, name))
            continue;
          g_ptr_array_add (names, g_strdup (name));
          g_array_append_val (json, is_json);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      crm_store_set_error (error, rc, NULL, sqlite3_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

/* json_object (...) of every synced column of the row called NEW: what an
 * insert puts in the outbox and the audit log. */
static void
append_insert_object (GString   *s,
                      GPtrArray *names,
                      GArray    *json)
{
  g_string_append (s, "json_object (");
  for (guint i = 0; i < names->len; i++)
    {
      const char *c = g_ptr_array_index (names, i);

      g_string_append_printf (s, "%s'%s', ", i ? ", " : "", c);
      append_value (s, "NEW", c, g_array_index (json, gboolean, i));
    }
  g_string_append (s, ")");
}

/* Writes the outbox and audit triggers of @table from its columns as they
 * are now (so a later migration that adds a column calls this again). The
 * SQL is generated from the schema we created, never from user text.
 *
 * Mutation ids come from a counter in local_state, bumped inside the same
 * transaction: consecutive, gap-free after rollbacks, and never reused
 * after the sync engine removes pushed rows from the outbox. */
gboolean
crm_store_create_sync_triggers (sqlite3     *db,
                                const char  *table,
                                GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) json = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(GString) insert_obj = g_string_new ("");
  g_autoptr(GString) changed_any = g_string_new ("");
  g_autoptr(GString) patch_rows = g_string_new ("");
  g_autoptr(GString) audit_rows = g_string_new ("");
  g_autoptr(GString) sql = g_string_new ("");

  g_return_val_if_fail (crm_store_table_is_synced (table), FALSE);

  if (!synced_columns (db, table, names, json, error))
    return FALSE;

  append_insert_object (insert_obj, names, json);
  for (guint i = 0; i < names->len; i++)
    {
      const char *c = g_ptr_array_index (names, i);
      gboolean is_json = g_array_index (json, gboolean, i);

      g_string_append_printf (changed_any, "%sOLD.%s IS NOT NEW.%s", i ? " OR " : "", c, c);
      g_string_append_printf (patch_rows,
                              "%s    SELECT '%s' AS k, NEW.%s AS v, %d AS j WHERE OLD.%s IS NOT NEW.%s\n",
                              i ? "    UNION ALL\n" : "", c, c, is_json, c, c);
      g_string_append_printf (audit_rows,
                              "%s    SELECT '%s' AS k, OLD.%s AS o, NEW.%s AS n, %d AS j WHERE OLD.%s IS NOT NEW.%s\n",
                              i ? "    UNION ALL\n" : "", c, c, c, is_json, c, c);
    }

  g_string_append_printf (sql,
    "DROP TRIGGER IF EXISTS %s_sync_insert;\n"
    "DROP TRIGGER IF EXISTS %s_sync_update;\n"
    "DROP TRIGGER IF EXISTS %s_sync_delete;\n",
    table, table, table);

  g_string_append_printf (sql,
    "CREATE TRIGGER %s_sync_insert AFTER INSERT ON %s\n"
    "WHEN (SELECT applying_remote FROM local_state) = 0\n"
    "BEGIN\n"
    NEXT_MUTATION_SQL
    "  INSERT INTO outbox (mutation_id, table_name, row_id, op, patch, hlc, created_at)\n"
    "  VALUES ((SELECT last_mutation_id FROM local_state), '%s', NEW.id, 'insert', %s, NEW.updated_at, " NOW_SQL ");\n"
    "  " AUDIT_COLUMNS
    "  VALUES (" NOW_SQL ", " AUDIT_WHO ", '%s', NEW.id, 'insert', NULL, %s, NEW.updated_at);\n"
    "END;\n",
    table, table, table, insert_obj->str, table, insert_obj->str);

  g_string_append_printf (sql,
    "CREATE TRIGGER %s_sync_update AFTER UPDATE ON %s\n"
    "WHEN (SELECT applying_remote FROM local_state) = 0 AND (%s)\n"
    "BEGIN\n"
    NEXT_MUTATION_SQL
    "  INSERT INTO outbox (mutation_id, table_name, row_id, op, patch, hlc, created_at)\n"
    "  SELECT (SELECT last_mutation_id FROM local_state), '%s', NEW.id,\n"
    "         CASE WHEN NEW.deleted = 1 AND OLD.deleted = 0 THEN 'delete' ELSE 'update' END,\n"
    "         json_group_object (k, CASE WHEN j THEN json (v) ELSE v END), NEW.updated_at, " NOW_SQL "\n"
    "  FROM (\n%s  );\n"
    "  " AUDIT_COLUMNS
    "  SELECT " NOW_SQL ", " AUDIT_WHO ", '%s', NEW.id,\n"
    "         CASE WHEN NEW.deleted = 1 AND OLD.deleted = 0 THEN 'delete'\n"
    "              WHEN NEW.deleted = 0 AND OLD.deleted = 1 THEN 'restore' ELSE 'update' END,\n"
    "         json_group_object (k, CASE WHEN j THEN json (o) ELSE o END),\n"
    "         json_group_object (k, CASE WHEN j THEN json (n) ELSE n END), NEW.updated_at\n"
    "  FROM (\n%s  );\n"
    "END;\n",
    table, table, changed_any->str, table, patch_rows->str, table, audit_rows->str);

  {
    /* The "before" of a hard delete is the whole row, as NEW is for insert. */
    g_autofree char *before_obj = NULL;
    g_autoptr(GString) tmp = g_string_new (insert_obj->str);

    g_string_replace (tmp, "NEW.", "OLD.", 0);
    before_obj = g_string_free (g_steal_pointer (&tmp), FALSE);

    g_string_append_printf (sql,
      "CREATE TRIGGER %s_sync_delete AFTER DELETE ON %s\n"
      "WHEN (SELECT applying_remote FROM local_state) = 0\n"
      "BEGIN\n"
      NEXT_MUTATION_SQL
      "  INSERT INTO outbox (mutation_id, table_name, row_id, op, patch, hlc, created_at)\n"
      "  VALUES ((SELECT last_mutation_id FROM local_state), '%s', OLD.id, 'delete', NULL, OLD.updated_at, " NOW_SQL ");\n"
      "  " AUDIT_COLUMNS
      "  VALUES (" NOW_SQL ", " AUDIT_WHO ", '%s', OLD.id, 'delete', %s, NULL, OLD.updated_at);\n"
      "END;\n",
      table, table, table, table, before_obj);
  }

  return exec_sql (db, sql->str, NULL, error);
}

/* The outbox and audit rows the insert trigger of @table writes, for every
 * row of @table with rowid >= ?1, as three statements to run in order in
 * one transaction: the outbox rows, the audit rows, the mutation counter.
 * A bulk writer (import) inserts with applying_remote set and then runs
 * these: one set-based pass instead of a trigger program per row, which
 * costs most of the time of an insert. Rows, mutation ids and order are
 * those the trigger would have written, row after row in rowid order. */
GStrv
crm_store_sync_inserts_sql (sqlite3     *db,
                            const char  *table,
                            GError     **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) json = g_array_new (FALSE, FALSE, sizeof (gboolean));
  g_autoptr(GString) obj = g_string_new ("");
  GStrv sql;

  g_return_val_if_fail (crm_store_table_is_synced (table), NULL);

  if (!synced_columns (db, table, names, json, error))
    return NULL;
  append_insert_object (obj, names, json);

  sql = g_new0 (char *, 4);
  sql[0] = g_strdup_printf (
    "INSERT INTO outbox (mutation_id, table_name, row_id, op, patch, hlc, created_at)\n"
    "  SELECT (SELECT last_mutation_id FROM local_state) + row_number () OVER (ORDER BY NEW.rowid),\n"
    "         '%s', NEW.id, 'insert', %s, NEW.updated_at, " NOW_SQL "\n"
    "  FROM %s AS NEW WHERE NEW.rowid >= ?1 ORDER BY NEW.rowid",
    table, obj->str, table);
  /* The audit rows' "after" is the outbox patch just written (the same
   * json_object () of the same row): read back rather than built twice. */
  sql[1] = g_strdup_printf (
    AUDIT_COLUMNS
    "  SELECT " NOW_SQL ", " AUDIT_WHO ", '%s', o.row_id, 'insert', NULL, o.patch, o.hlc\n"
    "  FROM outbox o WHERE o.mutation_id > (SELECT last_mutation_id FROM local_state)\n"
    "  ORDER BY o.mutation_id",
    table);
  sql[2] = g_strdup_printf (
    "UPDATE local_state SET last_mutation_id = last_mutation_id + (SELECT count(*) FROM %s WHERE rowid >= ?1)",
    table);
  return sql;
}

static gboolean
table_exists (sqlite3    *db,
              const char *table)
{
  sqlite3_stmt *stmt = NULL;
  gboolean exists;

  sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &stmt, NULL);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  exists = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  return exists;
}

static gboolean
migration_1_hook (sqlite3  *db,
                  GError  **error)
{
  /* Tables of later migrations do not exist yet; those migrations create
   * their triggers. */
  for (guint i = 0; synced_tables[i] != NULL; i++)
    if (table_exists (db, synced_tables[i]) &&
        !crm_store_create_sync_triggers (db, synced_tables[i], error))
      return FALSE;

  return crm_contact_search_install (db, error);
}

static gboolean
migration_4_hook (sqlite3  *db,
                  GError  **error)
{
  return crm_store_create_sync_triggers (db, "deals", error) &&
         crm_store_create_sync_triggers (db, "pipelines", error);
}

/* Runs every migration after @from_version, each in its own transaction, so
 * a failure (disk full, a crash) leaves the database at the last complete
 * version, which the next open continues from. */
gboolean
crm_store_migrate (sqlite3     *db,
                   guint        from_version,
                   const char  *path,
                   GError     **error)
{
  for (guint v = from_version; v < G_N_ELEMENTS (migrations); v++)
    {
      const Migration *m = &migrations[v];
      g_autofree char *set_version = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!exec_sql (db, "BEGIN IMMEDIATE", path, error))
        return FALSE;

      /* PRAGMA takes no parameters; the number is ours, not user text. */
      set_version = g_strdup_printf ("PRAGMA user_version = %u", v + 1);

      if (!exec_sql (db, m->sql, path, &local_error) ||
          (m->hook != NULL && !m->hook (db, &local_error)) ||
          !exec_sql (db, set_version, path, &local_error) ||
          !exec_sql (db, "COMMIT", path, &local_error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      _("Could not upgrade the database to version %u: "),
                                      v + 1);
          return FALSE;
        }
    }

  return TRUE;
}
