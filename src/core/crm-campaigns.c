/* crm-campaigns.c: campaign content per segment variant, merge fields, launch (member freeze), tracking and attribution */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "crm-campaigns.h"
#include "crm-contact.h"
#include "crm-csv-writer.h"
#include "crm-segment.h"
#include "crm-store-private.h"
#include "crm-survey.h"
#include "crm-uuid.h"

/* The order of the first four matches the columns of
 * crm_campaign_contact_values(). */
static const char * const builtin_fields[] = {
  "name", "title", "city", "last_product", "days_since_last_purchase", "survey_link", NULL
};

void
crm_campaign_variant_free (CrmCampaignVariant *variant)
{
  if (variant == NULL)
    return;
  g_free (variant->segment);
  g_free (variant->subject);
  g_free (variant->body);
  g_free (variant);
}

void
crm_campaign_stats_free (CrmCampaignStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->variant);
  g_free (stats);
}

static char *
now_timestamp (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean G_GNUC_PRINTF (3, 4)
invalid (GError     **error,
         const char  *path,
         const char  *format,
         ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* TRANSLATORS: "variants[1].body: …": where in the campaign content, then what is wrong */
  g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID, _("%s: %s"), path, what);
  return FALSE;
}

/* Calls @func for each {{field|fallback}} of @text; FALSE with an error at
 * @path for an unclosed one. */
typedef void (*MergeFieldFunc) (const char *name, const char *fallback, gpointer user_data);

static gboolean
scan_merge_fields (const char     *text,
                   const char     *path,
                   MergeFieldFunc  func,
                   gpointer        user_data,
                   GString        *literal_out,
                   GError        **error)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *open = strstr (p, "{{");
      const char *close;
      g_autofree char *inner = NULL;
      char *bar;

      if (open == NULL)
        {
          if (literal_out != NULL)
            g_string_append (literal_out, p);
          break;
        }
      if (literal_out != NULL)
        g_string_append_len (literal_out, p, open - p);
      close = strstr (open + 2, "}}");
      if (close == NULL)
        return invalid (error, path, _("“{{” without “}}”"));
      inner = g_strndup (open + 2, close - open - 2);
      bar = strchr (inner, '|');
      if (bar != NULL)
        *bar = '\0';
      g_strstrip (inner);
      func (inner, bar != NULL ? bar + 1 : NULL, user_data);
      p = close + 2;
    }
  return TRUE;
}

typedef struct
{
  GHashTable *custom;
  char *unknown;
  gboolean survey_link;
} CheckFields;

static void
check_field (const char *name,
             const char *fallback,
             gpointer    user_data)
{
  CheckFields *check = user_data;

  if (g_str_equal (name, "survey_link"))
    check->survey_link = TRUE;
  if (check->unknown == NULL && !g_strv_contains (builtin_fields, name) &&
      (check->custom == NULL || !g_hash_table_contains (check->custom, name)))
    check->unknown = g_strdup (name);
}

/* @out_survey_link (optional) is set when @text has {{survey_link}}. */
static gboolean
check_template (const char  *text,
                const char  *path,
                GHashTable  *custom,
                gboolean    *out_survey_link,
                GError     **error)
{
  CheckFields check = { custom, NULL, FALSE };
  g_autofree char *unknown = NULL;

  if (!scan_merge_fields (text, path, check_field, &check, NULL, error))
    return FALSE;
  unknown = check.unknown;
  if (unknown != NULL)
    return invalid (error, path, _("unknown merge field “{{%s}}”; there are name, title, city, last_product, days_since_last_purchase, survey_link and the custom fields"),
                    unknown);
  if (out_survey_link != NULL && check.survey_link)
    *out_survey_link = TRUE;
  return TRUE;
}

gboolean
crm_campaign_variant_uses_field (const CrmCampaignVariant *variant,
                                 const char               *field)
{
  CheckFields check = { NULL, NULL, FALSE };

  /* Only survey_link is tracked by check_field(); others are not asked for. */
  g_return_val_if_fail (g_str_equal (field, "survey_link"), FALSE);

  if (variant->subject != NULL)
    scan_merge_fields (variant->subject, "subject", check_field, &check, NULL, NULL);
  if (variant->body != NULL)
    scan_merge_fields (variant->body, "body", check_field, &check, NULL, NULL);
  g_free (check.unknown);
  return check.survey_link;
}

static const char *
member_string (JsonObject  *object,
               const char  *member,
               const char  *path,
               gboolean     required,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *where = g_strconcat (path, ".", member, NULL);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        invalid (error, where, _("missing"));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      invalid (error, where, _("expected a text"));
      return NULL;
    }
  if (required && *json_node_get_string (node) == '\0')
    {
      invalid (error, where, _("is empty"));
      return NULL;
    }
  return json_node_get_string (node);
}

GPtrArray *
crm_campaign_parse_templates (const char   *templates_json,
                              GHashTable  **out_fields,
                              GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) variants = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_campaign_variant_free);
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *survey_link_path = NULL;
  gboolean survey_link = FALSE;
  JsonNode *root;
  JsonObject *object;
  JsonNode *node;

  if (!json_parser_load_from_data (parser, templates_json != NULL ? templates_json : "{}", -1, &local_error))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID, _("templates: not valid JSON: %s"),
                   local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid (error, "templates", _("expected an object with “variants” and “fields”"));
      return NULL;
    }
  object = json_node_get_object (root);

  node = json_object_get_member (object, "fields");
  if (node != NULL)
    {
      JsonObject *f;
      g_autoptr(GList) names = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          invalid (error, "fields", _("expected an object of name: text"));
          return NULL;
        }
      f = json_node_get_object (node);
      names = json_object_get_members (f);
      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *path = g_strconcat ("fields.", l->data, NULL);
          const char *value = member_string (f, l->data, "fields", FALSE, error);

          if (value == NULL && error != NULL && *error != NULL)
            return NULL;
          if (g_strv_contains (builtin_fields, l->data))
            {
              invalid (error, path, _("“%s” is a built-in merge field"), (const char *) l->data);
              return NULL;
            }
          /* It must be writable as {{name}}. */
          if (*(const char *) l->data == '\0' || strpbrk (l->data, "{}| \t\r\n") != NULL)
            {
              invalid (error, path, _("a merge field’s name has no spaces, braces or “|”"));
              return NULL;
            }
          g_hash_table_insert (fields, g_strdup (l->data), g_strdup (value != NULL ? value : ""));
        }
    }

  node = json_object_get_member (object, "variants");
  if (node != NULL)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          invalid (error, "variants", _("expected a list"));
          return NULL;
        }
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          g_autofree char *path = g_strdup_printf ("variants[%u]", i);
          g_autofree char *subject_path = g_strconcat (path, ".subject", NULL);
          g_autofree char *body_path = g_strconcat (path, ".body", NULL);
          g_autoptr(CrmCampaignVariant) variant = g_new0 (CrmCampaignVariant, 1);
          const char *segment, *subject, *body;
          GError *e = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            {
              invalid (error, path, _("expected an object with segment, subject and body"));
              return NULL;
            }
          segment = member_string (json_node_get_object (item), "segment", path, TRUE, &e);
          subject = e == NULL ? member_string (json_node_get_object (item), "subject", path, FALSE, &e) : NULL;
          body = e == NULL ? member_string (json_node_get_object (item), "body", path, TRUE, &e) : NULL;
          if (e != NULL)
            {
              g_propagate_error (error, e);
              return NULL;
            }
          if ((subject != NULL && !check_template (subject, subject_path, fields, &survey_link, error)) ||
              !check_template (body, body_path, fields, &survey_link, error))
            return NULL;
          if (survey_link && survey_link_path == NULL)
            survey_link_path = g_strdup (path);
          variant->segment = g_strdup (segment);
          variant->subject = g_strdup (subject);
          variant->body = g_strdup (body);
          g_ptr_array_add (variants, g_steal_pointer (&variant));
        }
    }

  node = json_object_get_member (object, "survey");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node) &&
      (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING))
    {
      invalid (error, "survey", _("expected the id of a survey"));
      return NULL;
    }
  if (survey_link_path != NULL && (node == NULL || JSON_NODE_HOLDS_NULL (node) || *json_node_get_string (node) == '\0'))
    {
      invalid (error, survey_link_path, _("{{survey_link}} needs the survey it links to: choose the campaign’s survey"));
      return NULL;
    }

  if (out_fields != NULL)
    *out_fields = g_steal_pointer (&fields);
  return g_steal_pointer (&variants);
}

char *
crm_campaign_templates_dup_survey (const char *templates_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonNode *node;

  if (templates_json == NULL || !json_parser_load_from_data (parser, templates_json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  node = json_object_get_member (json_node_get_object (root), "survey");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      *json_node_get_string (node) == '\0')
    return NULL;
  return g_strdup (json_node_get_string (node));
}

typedef struct
{
  GHashTable *values;
  GString *out;
} Render;

static void
render_field (const char *name,
              const char *fallback,
              gpointer    user_data)
{
  Render *render = user_data;
  const char *value = render->values != NULL ? g_hash_table_lookup (render->values, name) : NULL;

  if (value != NULL && *value != '\0')
    g_string_append (render->out, value);
  else if (fallback != NULL)
    g_string_append (render->out, fallback);
}

char *
crm_campaign_render_text (const char *template_text,
                          GHashTable *values)
{
  GString *out = g_string_new (NULL);
  Render render = { values, out };
  const char *p = template_text != NULL ? template_text : "";

  /* Walk by hand rather than through scan_merge_fields() so literal text
   * and fields interleave; an unclosed "{{" is kept as written. */
  while (*p != '\0')
    {
      const char *open = strstr (p, "{{");
      const char *close = open != NULL ? strstr (open + 2, "}}") : NULL;
      g_autofree char *inner = NULL;
      char *bar;

      if (open == NULL || close == NULL)
        {
          g_string_append (out, p);
          break;
        }
      g_string_append_len (out, p, open - p);
      inner = g_strndup (open + 2, close - open - 2);
      bar = strchr (inner, '|');
      if (bar != NULL)
        *bar = '\0';
      g_strstrip (inner);
      render_field (inner, bar != NULL ? bar + 1 : NULL, &render);
      p = close + 2;
    }
  return g_string_free (out, FALSE);
}

static char *
today_text (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

GHashTable *
crm_campaign_contact_values (CrmStore    *store,
                             const char  *contact_id,
                             GHashTable  *custom_fields,
                             const char  *reference_date,
                             GError     **error)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *today = reference_date == NULL ? today_text () : NULL;
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
    "SELECT c.name, c.title, c.city,"
    " (SELECT p.product FROM purchases p WHERE p.contact_id = c.id AND p.deleted = 0"
    "  ORDER BY p.purchased_at DESC LIMIT 1),"
    " CAST (julianday (?2) - julianday (date (c.last_purchase_at)) AS INTEGER)"
    " FROM contacts c WHERE c.id = ?1", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, contact_id);
  crm_stmt_bind_text (stmt, 2, reference_date != NULL ? reference_date : today);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND, _("No contact with id %s."), contact_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  if (custom_fields != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, custom_fields);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (values, g_strdup (key), g_strdup (value));
    }
  for (int i = 0; i < 4; i++)
    if (sqlite3_column_type (stmt, i) != SQLITE_NULL)
      g_hash_table_insert (values, g_strdup (builtin_fields[i]),
                           g_strdup ((const char *) sqlite3_column_text (stmt, i)));
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    g_hash_table_insert (values, g_strdup ("days_since_last_purchase"),
                         g_strdup_printf ("%lld", (long long) sqlite3_column_int64 (stmt, 4)));
  return g_steal_pointer (&values);
}

static CrmCampaignVariant *
variant_for_contact (CrmStore    *store,
                     GPtrArray   *variants,
                     const char  *contact_id,
                     const char  *reference_date,
                     GError     **error)
{
  for (guint i = 0; i < variants->len; i++)
    {
      CrmCampaignVariant *v = g_ptr_array_index (variants, i);
      g_autoptr(CrmSegmentInfo) info = crm_segment_find (store, v->segment, error);
      gboolean in = FALSE;

      if (info == NULL || !crm_segment_contains (store, info->rule, reference_date, contact_id, &in, error))
        return NULL;
      if (in)
        return v;
    }
  return variants->len > 0 ? g_ptr_array_index (variants, 0) : NULL;
}

gboolean
crm_campaign_preview (CrmStore     *store,
                      CrmCampaign  *campaign,
                      const char   *contact_id,
                      const char   *reference_date,
                      char        **out_subject,
                      char        **out_body,
                      GError      **error)
{
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GPtrArray) variants = crm_campaign_parse_templates (crm_record_get_string (CRM_RECORD (campaign), "templates"),
                                                                &fields, error);
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GError) local_error = NULL;
  CrmCampaignVariant *variant;

  if (variants == NULL)
    return FALSE;
  if (variants->len == 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("The campaign has no content yet: add a variant with a segment and a text."));
      return FALSE;
    }
  variant = variant_for_contact (store, variants, contact_id, reference_date, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  values = crm_campaign_contact_values (store, contact_id, fields, reference_date, error);
  if (values == NULL)
    return FALSE;
  /* The real link is made when the message is sent. */
  g_hash_table_insert (values, g_strdup ("survey_link"), g_strdup (_("[one-time survey link]")));
  *out_subject = crm_campaign_render_text (variant->subject, values);
  *out_body = crm_campaign_render_text (variant->body, values);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Launch */

static const char member_contact_sql[] =
  "SELECT id, json_extract (emails, '$[0]'),"
  " coalesce (json_extract (phones, '$[0].e164'), json_extract (phones, '$[0].raw')),"
  " CASE WHEN address IS NULL OR trim (address) = '' THEN NULL"
  "  ELSE coalesce (province, '') || coalesce (city, '') || address END,"
  " consent_email, consent_sms"
  " FROM contacts WHERE rid = ? AND deleted = 0";

static const char insert_member_sql[] =
  "INSERT INTO campaign_members (id, created_at, updated_at, campaign_id, contact_id, status, variant, address)"
  " VALUES (?1, ?2, ?2, ?3, ?4, 'pending', ?5, ?6)";

static gboolean
launch_variant (CrmStore           *store,
                const char         *campaign_id,
                const char         *channel,
                CrmCampaignVariant *variant,
                const char         *reference_date,
                GHashTable         *taken,
                CrmCampaignLaunch  *launch,
                GPtrArray          *ids,
                GError            **error)
{
  g_autoptr(CrmSegmentInfo) info = crm_segment_find (store, variant->segment, error);
  g_autoptr(GArray) rids = NULL;
  g_autoptr(CrmCachedStmt) read = NULL;
  g_autoptr(CrmCachedStmt) insert = NULL;

  if (info == NULL)
    return FALSE;
  rids = crm_segment_dup_member_rids (store, info->rule, reference_date, error);
  if (rids == NULL ||
      (read = crm_store_prepare (store, member_contact_sql, error)) == NULL ||
      (insert = crm_store_prepare (store, insert_member_sql, error)) == NULL)
    return FALSE;

  for (guint i = 0; i < rids->len; i++)
    {
      gint64 rid = g_array_index (rids, gint64, i);
      const char *address;
      gboolean consent;
      int rc;

      if (g_hash_table_contains (taken, &g_array_index (rids, gint64, i)))
        continue;
      g_hash_table_add (taken, g_memdup2 (&rid, sizeof rid));

      sqlite3_reset (read);
      sqlite3_bind_int64 (read, 1, rid);
      rc = sqlite3_step (read);
      if (rc == SQLITE_DONE)
        continue;
      if (rc != SQLITE_ROW)
        {
          crm_store_take_error (store, rc, error);
          return FALSE;
        }

      if (g_str_equal (channel, "email"))
        {
          address = (const char *) sqlite3_column_text (read, 1);
          consent = sqlite3_column_int (read, 4) != 0;
        }
      else if (g_str_equal (channel, "sms"))
        {
          address = (const char *) sqlite3_column_text (read, 2);
          consent = sqlite3_column_int (read, 5) != 0;
        }
      else if (g_str_equal (channel, "phone"))
        {
          address = (const char *) sqlite3_column_text (read, 2);
          consent = TRUE;
        }
      else
        {
          address = (const char *) sqlite3_column_text (read, 3);
          consent = TRUE;
        }

      if (!consent)
        {
          launch->excluded_no_consent++;
          continue;
        }
      if (address == NULL || *address == '\0')
        {
          launch->excluded_no_address++;
          continue;
        }

      /* A check only counts (and lists) who would be frozen. */
      if (campaign_id == NULL)
        {
          if (ids != NULL)
            g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (read, 0)));
          launch->members++;
          continue;
        }

      {
        g_autofree char *id = crm_uuid_v7_new ();
        g_autofree char *hlc = crm_store_next_hlc (store);

        sqlite3_reset (insert);
        crm_stmt_bind_text (insert, 1, id);
        crm_stmt_bind_text (insert, 2, hlc);
        crm_stmt_bind_text (insert, 3, campaign_id);
        sqlite3_bind_text (insert, 4, (const char *) sqlite3_column_text (read, 0), -1, SQLITE_TRANSIENT);
        crm_stmt_bind_text (insert, 5, variant->segment);
        sqlite3_bind_text (insert, 6, address, -1, SQLITE_TRANSIENT);
        if (!crm_store_step_done (store, insert, error))
          return FALSE;
        launch->members++;
      }
    }
  return TRUE;
}

char *
crm_campaign_linked_survey (CrmStore    *store,
                            const char  *templates_json,
                            GPtrArray   *variants,
                            GError     **error)
{
  g_autofree char *survey_id = NULL;
  g_autoptr(CrmSurvey) survey = NULL;
  gboolean used = FALSE;

  for (guint i = 0; i < variants->len && !used; i++)
    used = crm_campaign_variant_uses_field (g_ptr_array_index (variants, i), "survey_link");
  if (!used)
    return NULL;
  survey_id = crm_campaign_templates_dup_survey (templates_json);
  if (survey_id != NULL)
    survey = crm_store_get (store, CRM_TYPE_SURVEY, survey_id, NULL);
  if (survey == NULL || crm_record_get_deleted (CRM_RECORD (survey)))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                           _("The survey the campaign links to no longer exists; choose another."));
      return NULL;
    }
  if (g_strcmp0 (crm_record_get_string (CRM_RECORD (survey), "status"), "closed") == 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("The survey “%s” is closed and takes no more answers; open it again or choose another."),
                   crm_record_get_string (CRM_RECORD (survey), "title"));
      return NULL;
    }
  return g_steal_pointer (&survey_id);
}

/* A {{survey_link}} is made as each message is sent, so only email
 * carries one. */
static gboolean
check_survey_link (CrmStore    *store,
                   const char  *channel,
                   const char  *templates_json,
                   GPtrArray   *variants,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *survey_id = crm_campaign_linked_survey (store, templates_json, variants, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (survey_id != NULL && !g_str_equal (channel, "email"))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("{{survey_link}} only works in email campaigns: each link is made when its message is sent. "
                             "For SMS, letters or calls, send the survey from the Surveys page."));
      return FALSE;
    }
  return TRUE;
}

/* @campaign_id, if it is still a draft (or scheduled): launching and
 * scheduling both need that. */
static CrmCampaign *
get_draft (CrmStore    *store,
           const char  *campaign_id,
           GError     **error)
{
  g_autoptr(CrmCampaign) campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, campaign_id, error);
  const char *status;

  if (campaign == NULL)
    return NULL;
  status = crm_record_get_string (CRM_RECORD (campaign), "status");
  if (crm_record_get_deleted (CRM_RECORD (campaign)) ||
      (!g_str_equal (status, "draft") && !g_str_equal (status, "scheduled")))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("“%s” was already launched (it is %s); its members are frozen."),
                   crm_record_get_string (CRM_RECORD (campaign), "name"), status);
      return NULL;
    }
  return g_steal_pointer (&campaign);
}

gboolean
crm_campaign_launch (CrmStore           *store,
                     const char         *campaign_id,
                     const char         *reference_date,
                     CrmCampaignLaunch  *out_launch,
                     GError            **error)
{
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GPtrArray) variants = NULL;
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  CrmCampaignLaunch launch = { 0 };
  const char *channel;

  if (!crm_store_begin (store, error))
    return FALSE;
  campaign = get_draft (store, campaign_id, error);
  if (campaign == NULL)
    goto fail;
  channel = crm_record_get_string (CRM_RECORD (campaign), "channel");
  variants = crm_campaign_parse_templates (crm_record_get_string (CRM_RECORD (campaign), "templates"), NULL, error);
  if (variants == NULL)
    goto fail;
  if (variants->len == 0)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("The campaign has no content yet: add a variant with a segment and a text."));
      goto fail;
    }
  if (!check_survey_link (store, channel, crm_record_get_string (CRM_RECORD (campaign), "templates"), variants, error))
    goto fail;
  for (guint i = 0; i < variants->len; i++)
    if (!launch_variant (store, campaign_id, channel, g_ptr_array_index (variants, i), reference_date,
                         taken, &launch, NULL, error))
      goto fail;

  g_object_set (campaign, "status", "running", "excluded-no-consent", launch.excluded_no_consent,
                "excluded-no-address", launch.excluded_no_address, NULL);
  if (!crm_store_update (store, CRM_RECORD (campaign), error))
    goto fail;
  crm_store_queue_changed (store, "campaign_members", NULL);
  if (!crm_store_commit (store, error))
    goto fail;
  if (out_launch != NULL)
    *out_launch = launch;
  return TRUE;

fail:
  crm_store_rollback (store);
  return FALSE;
}

char *
crm_campaign_parse_when (const char  *text,
                         GError     **error)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *iso = g_strstrip (g_strdup (text != NULL ? text : ""));

  /* "2026-12-24 09:00" as people write it, in local time; GLib wants
   * the seconds. */
  if (strlen (iso) > 10 && iso[10] == ' ')
    iso[10] = 'T';
  if (strlen (iso) >= 16 && iso[10] == 'T' && iso[13] == ':' && strchr ("Z+-", iso[16]) != NULL)
    {
      char *with_seconds = g_strdup_printf ("%.16s:00%s", iso, iso + 16);

      g_free (iso);
      iso = with_seconds;
    }
  when = g_date_time_new_from_iso8601 (iso, local);
  if (when == NULL)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("“%s” is not a date and time; write it as 2026-12-24 09:00."), text != NULL ? text : "");
      return NULL;
    }
  utc = g_date_time_to_utc (when);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

gboolean
crm_campaign_schedule (CrmStore    *store,
                       const char  *campaign_id,
                       const char  *at,
                       GError     **error)
{
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GPtrArray) variants = NULL;
  g_autofree char *now = now_timestamp ();

  if (!crm_store_begin (store, error))
    return FALSE;
  campaign = get_draft (store, campaign_id, error);
  if (campaign == NULL)
    goto fail;
  if (at != NULL)
    {
      variants = crm_campaign_parse_templates (crm_record_get_string (CRM_RECORD (campaign), "templates"), NULL, error);
      if (variants == NULL)
        goto fail;
      if (variants->len == 0)
        {
          g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                               _("The campaign has no content yet: add a variant with a segment and a text."));
          goto fail;
        }
      if (!check_survey_link (store, crm_record_get_string (CRM_RECORD (campaign), "channel"),
                              crm_record_get_string (CRM_RECORD (campaign), "templates"), variants, error))
        goto fail;
      if (strcmp (at, now) <= 0)
        {
          g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (at, NULL);
          g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
          g_autofree char *text = local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M") : g_strdup (at);

          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                       _("%s has passed; schedule the launch for a later time, or launch now."), text);
          goto fail;
        }
    }
  g_object_set (campaign, "status", at != NULL ? "scheduled" : "draft", "scheduled-at", at, NULL);
  if (!crm_store_update (store, CRM_RECORD (campaign), error) || !crm_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  crm_store_rollback (store);
  return FALSE;
}

GPtrArray *
crm_campaign_launch_due (CrmStore    *store,
                         const char  *now,
                         GPtrArray  **out_failures,
                         GError     **error)
{
  g_autoptr(GPtrArray) launched = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *current = now == NULL ? now_timestamp () : NULL;
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
    "SELECT id FROM campaigns WHERE deleted = 0 AND status = 'scheduled' AND scheduled_at <= ?1"
    " ORDER BY scheduled_at", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, now != NULL ? now : current);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (due, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  for (guint i = 0; i < due->len; i++)
    {
      const char *id = g_ptr_array_index (due, i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(CrmCampaign) campaign = NULL;

      if (crm_campaign_launch (store, id, NULL, NULL, &local_error))
        {
          g_ptr_array_add (launched, g_strdup (id));
          continue;
        }
      /* Back to a draft, so it is not tried again every minute; the
       * message says what to fix. */
      campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, id, NULL);
      if (campaign != NULL)
        {
          g_ptr_array_add (failures, g_strdup_printf ("%s: %s", crm_record_get_string (CRM_RECORD (campaign), "name"),
                                                      local_error->message));
          g_object_set (campaign, "status", "draft", NULL);
          if (!crm_store_update (store, CRM_RECORD (campaign), error))
            return NULL;
        }
    }
  if (out_failures != NULL)
    *out_failures = g_steal_pointer (&failures);
  return g_steal_pointer (&launched);
}

gboolean
crm_campaign_check_audience (CrmStore           *store,
                             const char         *channel,
                             const char         *templates_json,
                             const char         *reference_date,
                             CrmCampaignLaunch  *out_check,
                             GPtrArray         **out_contact_ids,
                             GError            **error)
{
  g_autoptr(GPtrArray) variants = crm_campaign_parse_templates (templates_json, NULL, error);
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  CrmCampaignLaunch check = { 0 };

  if (variants == NULL || !check_survey_link (store, channel, templates_json, variants, error))
    return FALSE;
  for (guint i = 0; i < variants->len; i++)
    if (!launch_variant (store, NULL, channel, g_ptr_array_index (variants, i), reference_date,
                         taken, &check, ids, error))
      return FALSE;
  *out_check = check;
  if (out_contact_ids != NULL)
    *out_contact_ids = g_steal_pointer (&ids);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Responses and conversions */

static int
status_rank (const char *status)
{
  static const char * const order[] = { "pending", "failed", "sent", "opened", "responded", "converted", "unsubscribed", NULL };

  for (int i = 0; order[i] != NULL; i++)
    if (g_str_equal (order[i], status))
      return i;
  return -1;
}

gboolean
crm_campaign_record_response (CrmStore    *store,
                              const char  *campaign_id,
                              const char  *contact_id,
                              const char  *status,
                              const char  *at,
                              GError     **error)
{
  g_autofree char *now = at == NULL ? now_timestamp () : NULL;
  g_autofree char *hlc = NULL;
  g_autofree char *member_id = NULL;
  g_autofree char *old_status = NULL;
  g_autofree char *channel = NULL;
  g_autoptr(CrmCachedStmt) find = NULL;
  g_autoptr(CrmCachedStmt) update = NULL;
  const char *column;
  int rc;

  if (g_str_equal (status, "opened"))
    column = "opened_at";
  else if (g_str_equal (status, "responded"))
    column = "responded_at";
  else if (g_str_equal (status, "unsubscribed"))
    column = NULL;
  else
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("A response is opened, responded or unsubscribed, not “%s”."), status);
      return FALSE;
    }

  if (!crm_store_begin (store, error))
    return FALSE;
  find = crm_store_prepare (store,
                            "SELECT m.id, m.status, m.sent_at IS NOT NULL, c.channel FROM campaign_members m"
                            " JOIN campaigns c ON c.id = m.campaign_id"
                            " WHERE m.campaign_id = ? AND m.contact_id = ? AND m.deleted = 0", error);
  if (find == NULL)
    goto fail;
  crm_stmt_bind_text (find, 1, campaign_id);
  crm_stmt_bind_text (find, 2, contact_id);
  rc = sqlite3_step (find);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                     _("Contact %s is not a member of this campaign."), contact_id);
      else
        crm_store_take_error (store, rc, error);
      goto fail;
    }
  if (sqlite3_column_int (find, 2) == 0)
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("Contact %s has not been sent this campaign yet."), contact_id);
      goto fail;
    }
  member_id = g_strdup ((const char *) sqlite3_column_text (find, 0));
  old_status = g_strdup ((const char *) sqlite3_column_text (find, 1));
  channel = g_strdup ((const char *) sqlite3_column_text (find, 3));
  g_clear_pointer (&find, crm_cached_stmt_release);

  /* A later stage is never undone by an earlier one (an "opened" after
   * "responded" only records the time). */
  hlc = crm_store_next_hlc (store);
  update = crm_store_prepare (store,
                              "UPDATE campaign_members SET status = ?1, updated_at = ?2,"
                              " opened_at = CASE WHEN ?4 = 'opened_at' THEN coalesce (opened_at, ?5) ELSE opened_at END,"
                              " responded_at = CASE WHEN ?4 = 'responded_at' THEN coalesce (responded_at, ?5) ELSE responded_at END"
                              " WHERE id = ?3", error);
  if (update == NULL)
    goto fail;
  crm_stmt_bind_text (update, 1, status_rank (status) > status_rank (old_status) ? status : old_status);
  crm_stmt_bind_text (update, 2, hlc);
  crm_stmt_bind_text (update, 3, member_id);
  crm_stmt_bind_text (update, 4, column);
  crm_stmt_bind_text (update, 5, at != NULL ? at : now);
  if (!crm_store_step_done (store, update, error))
    goto fail;
  crm_store_queue_changed (store, "campaign_members", member_id);

  /* Unsubscribing withdraws the channel's consent, so no later campaign
   * reaches them. */
  if (g_str_equal (status, "unsubscribed") && (g_str_equal (channel, "email") || g_str_equal (channel, "sms")))
    {
      g_autoptr(CrmContact) contact = crm_store_get (store, CRM_TYPE_CONTACT, contact_id, error);

      if (contact == NULL)
        goto fail;
      g_object_set (contact, g_str_equal (channel, "email") ? "consent-email" : "consent-sms", FALSE, NULL);
      if (!crm_store_update (store, CRM_RECORD (contact), error))
        goto fail;
    }
  return crm_store_commit (store, error);

fail:
  crm_store_rollback (store);
  return FALSE;
}

/* A purchase of the member after sent_at and at most attribution_days
 * later, compared in whole milliseconds so the edges are exact. */
#define IN_WINDOW(p, m, days) \
  "CAST (round ((julianday (" p ".purchased_at) - julianday (" m ".sent_at)) * 86400000) AS INTEGER)" \
  " BETWEEN 1 AND " days " * 86400000"

/* An answer to the campaign's survey ({{survey_link}}, or taken by phone)
 * after the message went out is the member's response. */
static const char attribute_responses_sql[] =
  "UPDATE campaign_members AS m SET"
  " status = CASE WHEN m.status IN ('sent', 'opened') THEN 'responded' ELSE m.status END,"
  " responded_at = (SELECT min (r.submitted_at) FROM survey_responses r WHERE r.contact_id = m.contact_id"
  "   AND r.survey_id = json_extract (c.templates, '$.survey') AND r.deleted = 0"
  "   AND julianday (r.submitted_at) >= julianday (m.sent_at)),"
  " updated_at = ?2"
  " FROM campaigns c"
  " WHERE c.id = m.campaign_id AND m.campaign_id = ?1 AND m.deleted = 0 AND m.sent_at IS NOT NULL"
  " AND m.responded_at IS NULL AND json_valid (c.templates) AND json_extract (c.templates, '$.survey') IS NOT NULL"
  " AND EXISTS (SELECT 1 FROM survey_responses r WHERE r.contact_id = m.contact_id"
  "   AND r.survey_id = json_extract (c.templates, '$.survey') AND r.deleted = 0"
  "   AND julianday (r.submitted_at) >= julianday (m.sent_at))";

static const char attribute_conversions_sql[] =
  "UPDATE campaign_members AS m SET"
  " status = CASE WHEN m.status IN ('sent', 'opened', 'responded') THEN 'converted' ELSE m.status END,"
  " converted_at = (SELECT min (p.purchased_at) FROM purchases p WHERE p.contact_id = m.contact_id"
  "   AND p.deleted = 0 AND " IN_WINDOW ("p", "m", "c.attribution_days") "),"
  " updated_at = ?2"
  " FROM campaigns c"
  " WHERE c.id = m.campaign_id AND m.campaign_id = ?1 AND m.deleted = 0 AND m.sent_at IS NOT NULL"
  " AND m.converted_at IS NULL"
  " AND EXISTS (SELECT 1 FROM purchases p WHERE p.contact_id = m.contact_id AND p.deleted = 0"
  "   AND " IN_WINDOW ("p", "m", "c.attribution_days") ")";

gboolean
crm_campaign_attribute_conversions (CrmStore    *store,
                                    const char  *campaign_id,
                                    gint64      *out_converted,
                                    GError     **error)
{
  const char * const steps[] = { attribute_responses_sql, attribute_conversions_sql };
  g_autofree char *hlc = NULL;

  if (!crm_store_begin (store, error))
    return FALSE;
  hlc = crm_store_next_hlc (store);
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store, steps[i], error);

      if (stmt == NULL)
        {
          crm_store_rollback (store);
          return FALSE;
        }
      crm_stmt_bind_text (stmt, 1, campaign_id);
      crm_stmt_bind_text (stmt, 2, hlc);
      if (!crm_store_step_done (store, stmt, error))
        {
          crm_store_rollback (store);
          return FALSE;
        }
    }
  /* The changes of the last step: the conversions. */
  if (out_converted != NULL)
    *out_converted = sqlite3_changes (crm_store_get_db (store));
  crm_store_queue_changed (store, "campaign_members", NULL);
  return crm_store_commit (store, error);
}

GPtrArray *
crm_campaign_get_stats (CrmStore    *store,
                        const char  *campaign_id,
                        GError     **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_campaign_stats_free);
  g_autoptr(CrmCachedStmt) stmt = NULL;
  CrmCampaignStats *total = g_new0 (CrmCampaignStats, 1);
  int rc;

  if (!crm_campaign_attribute_conversions (store, campaign_id, NULL, error))
    {
      crm_campaign_stats_free (total);
      return NULL;
    }
  stmt = crm_store_prepare (store,
    "SELECT m.variant, count (*), coalesce (sum (m.status = 'pending'), 0),"
    " coalesce (sum (m.sent_at IS NOT NULL), 0), coalesce (sum (m.status = 'failed'), 0),"
    " coalesce (sum (m.responded_at IS NOT NULL OR m.status = 'responded'), 0),"
    " coalesce (sum (m.converted_at IS NOT NULL), 0),"
    " coalesce (sum ((SELECT sum (p.amount) FROM purchases p WHERE p.contact_id = m.contact_id AND p.deleted = 0"
    "   AND m.sent_at IS NOT NULL AND " IN_WINDOW ("p", "m", "c.attribution_days") ")), 0)"
    " FROM campaign_members m JOIN campaigns c ON c.id = m.campaign_id"
    " WHERE m.campaign_id = ? AND m.deleted = 0 GROUP BY m.variant ORDER BY min (m.rowid)", error);
  if (stmt == NULL)
    {
      crm_campaign_stats_free (total);
      return NULL;
    }
  crm_stmt_bind_text (stmt, 1, campaign_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CrmCampaignStats *s = g_new0 (CrmCampaignStats, 1);

      s->variant = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      s->members = sqlite3_column_int64 (stmt, 1);
      s->pending = sqlite3_column_int64 (stmt, 2);
      s->sent = sqlite3_column_int64 (stmt, 3);
      s->failed = sqlite3_column_int64 (stmt, 4);
      s->responded = sqlite3_column_int64 (stmt, 5);
      s->converted = sqlite3_column_int64 (stmt, 6);
      s->revenue = sqlite3_column_int64 (stmt, 7);
      total->members += s->members;
      total->pending += s->pending;
      total->sent += s->sent;
      total->failed += s->failed;
      total->responded += s->responded;
      total->converted += s->converted;
      total->revenue += s->revenue;
      g_ptr_array_add (rows, s);
    }
  g_ptr_array_add (rows, total);
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* ---------------------------------------------------------------------- */
/* SMS, call and letter lists */

gboolean
crm_campaign_export_list (CrmStore     *store,
                          const char   *campaign_id,
                          gboolean      mark_sent,
                          GString      *out,
                          gint64       *out_rows,
                          GError      **error)
{
  static const char * const header[] = { "name", "address", "message", "contact_id" };
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GPtrArray) variants = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GHashTable) by_segment = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) sent_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CrmCachedStmt) stmt = NULL;
  g_autofree char *now = now_timestamp ();
  const char *channel;
  gint64 rows = 0;
  int rc;

  campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, campaign_id, error);
  if (campaign == NULL)
    return FALSE;
  channel = crm_record_get_string (CRM_RECORD (campaign), "channel");
  if (g_str_equal (channel, "email"))
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("Email campaigns are sent, not exported: use “campaign send”."));
      return FALSE;
    }
  variants = crm_campaign_parse_templates (crm_record_get_string (CRM_RECORD (campaign), "templates"), &fields, error);
  if (variants == NULL)
    return FALSE;
  for (guint i = 0; i < variants->len; i++)
    {
      CrmCampaignVariant *v = g_ptr_array_index (variants, i);

      if (!g_hash_table_contains (by_segment, v->segment))
        g_hash_table_insert (by_segment, v->segment, v);
    }

  stmt = crm_store_prepare (store,
    "SELECT m.id, c.id, c.name, m.address, m.variant FROM campaign_members m JOIN contacts c ON c.id = m.contact_id"
    " WHERE m.campaign_id = ? AND m.deleted = 0 AND m.status = 'pending' ORDER BY c.name_sort, c.rid", error);
  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, campaign_id);
  crm_csv_append_row (out, header, G_N_ELEMENTS (header), ',');
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *contact_id = (const char *) sqlite3_column_text (stmt, 1);
      CrmCampaignVariant *v = g_hash_table_lookup (by_segment, (const char *) sqlite3_column_text (stmt, 4));
      g_autoptr(GHashTable) values = crm_campaign_contact_values (store, contact_id, fields, NULL, error);
      g_autofree char *message = NULL;
      const char *row[4];

      if (values == NULL)
        return FALSE;
      message = crm_campaign_render_text (v != NULL ? v->body : NULL, values);
      row[0] = (const char *) sqlite3_column_text (stmt, 2);
      row[1] = (const char *) sqlite3_column_text (stmt, 3);
      row[2] = message;
      row[3] = contact_id;
      crm_csv_append_row (out, row, G_N_ELEMENTS (row), ',');
      g_ptr_array_add (sent_ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      rows++;
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  if (mark_sent && sent_ids->len > 0)
    {
      if (!crm_store_begin (store, error))
        return FALSE;
      for (guint i = 0; i < sent_ids->len; i++)
        {
          g_autoptr(CrmCachedStmt) update = crm_store_prepare (store,
            "UPDATE campaign_members SET status = 'sent', sent_at = ?1, updated_at = ?2 WHERE id = ?3 AND status = 'pending'",
            error);
          g_autofree char *hlc = crm_store_next_hlc (store);

          if (update == NULL)
            {
              crm_store_rollback (store);
              return FALSE;
            }
          crm_stmt_bind_text (update, 1, now);
          crm_stmt_bind_text (update, 2, hlc);
          crm_stmt_bind_text (update, 3, g_ptr_array_index (sent_ids, i));
          if (!crm_store_step_done (store, update, error))
            {
              crm_store_rollback (store);
              return FALSE;
            }
        }
      crm_store_queue_changed (store, "campaign_members", NULL);
      if (!crm_store_commit (store, error))
        return FALSE;
    }
  if (out_rows != NULL)
    *out_rows = rows;
  return TRUE;
}

GPtrArray *
crm_campaign_list_all (CrmStore  *store,
                       GError   **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) campaigns = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
    "SELECT id FROM campaigns WHERE deleted = 0 ORDER BY created_at DESC, id DESC", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  for (guint i = 0; i < ids->len; i++)
    {
      CrmCampaign *campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, g_ptr_array_index (ids, i), error);

      if (campaign == NULL)
        return NULL;
      g_ptr_array_add (campaigns, campaign);
    }
  return g_steal_pointer (&campaigns);
}

CrmCampaign *
crm_campaign_find (CrmStore    *store,
                   const char  *name_or_id,
                   GError     **error)
{
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
    "SELECT id FROM campaigns WHERE deleted = 0 AND (id = ?1 OR name = ?1) ORDER BY id = ?1 DESC, created_at DESC LIMIT 1",
    error);
  g_autofree char *id = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, name_or_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc == SQLITE_DONE)
    g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND,
                 _("No campaign called “%s”. “crmctl campaign list” shows them all."), name_or_id);
  else
    crm_store_take_error (store, rc, error);
  g_clear_pointer (&stmt, crm_cached_stmt_release);
  return id != NULL ? crm_store_get (store, CRM_TYPE_CAMPAIGN, id, error) : NULL;
}

void
crm_mail_piece_free (CrmMailPiece *piece)
{
  if (piece == NULL)
    return;
  g_free (piece->contact_id);
  g_free (piece->name);
  g_free (piece->address);
  g_free (piece->subject);
  g_free (piece->body);
  g_free (piece);
}

GPtrArray *
crm_campaign_dup_mail_merge (CrmStore    *store,
                             const char  *campaign_id,
                             GError     **error)
{
  g_autoptr(CrmCampaign) campaign = NULL;
  g_autoptr(GPtrArray) variants = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GHashTable) by_segment = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_mail_piece_free);
  g_autoptr(CrmCachedStmt) stmt = NULL;
  int rc;

  campaign = crm_store_get (store, CRM_TYPE_CAMPAIGN, campaign_id, error);
  if (campaign == NULL)
    return NULL;
  if (!g_str_equal (crm_record_get_string (CRM_RECORD (campaign), "channel"), "letter"))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("“%s” is not a letter campaign: only letters print as a mail merge and labels."),
                   crm_record_get_string (CRM_RECORD (campaign), "name"));
      return NULL;
    }
  variants = crm_campaign_parse_templates (crm_record_get_string (CRM_RECORD (campaign), "templates"), &fields, error);
  if (variants == NULL)
    return NULL;
  for (guint i = 0; i < variants->len; i++)
    {
      CrmCampaignVariant *v = g_ptr_array_index (variants, i);

      if (!g_hash_table_contains (by_segment, v->segment))
        g_hash_table_insert (by_segment, v->segment, v);
    }

  /* Everyone frozen at launch but those who failed or opted out since. */
  stmt = crm_store_prepare (store,
    "SELECT c.id, c.name, m.address, m.variant FROM campaign_members m JOIN contacts c ON c.id = m.contact_id"
    " WHERE m.campaign_id = ? AND m.deleted = 0 AND m.status NOT IN ('failed', 'unsubscribed')"
    " ORDER BY c.name_sort, c.rid", error);
  if (stmt == NULL)
    return NULL;
  crm_stmt_bind_text (stmt, 1, campaign_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *contact_id = (const char *) sqlite3_column_text (stmt, 0);
      CrmCampaignVariant *v = g_hash_table_lookup (by_segment, (const char *) sqlite3_column_text (stmt, 3));
      g_autoptr(GHashTable) values = crm_campaign_contact_values (store, contact_id, fields, NULL, error);
      CrmMailPiece *piece;

      if (values == NULL)
        return NULL;
      piece = g_new0 (CrmMailPiece, 1);
      piece->contact_id = g_strdup (contact_id);
      piece->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      piece->address = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      piece->subject = crm_campaign_render_text (v != NULL ? v->subject : NULL, values);
      piece->body = crm_campaign_render_text (v != NULL ? v->body : NULL, values);
      g_ptr_array_add (pieces, piece);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&pieces);
}
