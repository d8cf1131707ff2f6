/* crm-greetings.c: birthday and holiday greetings (New Year, Spring Festival, Lantern, Dragon Boat, Mid-Autumn), recorded as activities so nobody is greeted twice */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "crm-activity.h"
#include "crm-campaigns.h"
#include "crm-greetings.h"
#include "crm-store-private.h"

/* Gregorian month and day of the first day of the first lunar month
 * (Spring Festival), the 5th of the 5th (Dragon Boat) and the 15th of the
 * 8th (Mid-Autumn), 2020–2035, as published (Purple Mountain Observatory,
 * Hong Kong Observatory). Lantern is Spring Festival + 14 days. Computed
 * approximations (ICU's Chinese calendar) put the new moons of 2027 and
 * 2030, minutes from midnight in Beijing, on the wrong day: hence a table. */
static const struct
{
  int spring[2];
  int dragon[2];
  int autumn[2];
} lunar[] = {
  /* 2020 */ { { 1, 25 }, { 6, 25 }, { 10, 1 } },
  /* 2021 */ { { 2, 12 }, { 6, 14 }, { 9, 21 } },
  /* 2022 */ { { 2, 1 }, { 6, 3 }, { 9, 10 } },
  /* 2023 */ { { 1, 22 }, { 6, 22 }, { 9, 29 } },
  /* 2024 */ { { 2, 10 }, { 6, 10 }, { 9, 17 } },
  /* 2025 */ { { 1, 29 }, { 5, 31 }, { 10, 6 } },
  /* 2026 */ { { 2, 17 }, { 6, 19 }, { 9, 25 } },
  /* 2027 */ { { 2, 6 }, { 6, 9 }, { 9, 15 } },
  /* 2028 */ { { 1, 26 }, { 5, 28 }, { 10, 3 } },
  /* 2029 */ { { 2, 13 }, { 6, 16 }, { 9, 22 } },
  /* 2030 */ { { 2, 3 }, { 6, 5 }, { 9, 12 } },
  /* 2031 */ { { 1, 23 }, { 6, 24 }, { 10, 1 } },
  /* 2032 */ { { 2, 11 }, { 6, 12 }, { 9, 19 } },
  /* 2033 */ { { 1, 31 }, { 6, 1 }, { 9, 8 } },
  /* 2034 */ { { 2, 19 }, { 6, 20 }, { 9, 27 } },
  /* 2035 */ { { 2, 8 }, { 6, 10 }, { 9, 16 } },
};
#define FIRST_YEAR 2020

static const char * const holidays[] = {
  "new_year", "spring_festival", "lantern", "dragon_boat", "mid_autumn", NULL
};

gboolean
crm_greetings_holiday_date (const char *occasion,
                            int         year,
                            GDate      *out_date)
{
  const int *md;

  g_date_clear (out_date, 1);
  if (g_strcmp0 (occasion, "new_year") == 0 && g_date_valid_year (year))
    {
      g_date_set_dmy (out_date, 1, G_DATE_JANUARY, year);
      return TRUE;
    }
  if (year < FIRST_YEAR || year >= FIRST_YEAR + (int) G_N_ELEMENTS (lunar))
    return FALSE;
  if (g_strcmp0 (occasion, "spring_festival") == 0 || g_strcmp0 (occasion, "lantern") == 0)
    md = lunar[year - FIRST_YEAR].spring;
  else if (g_strcmp0 (occasion, "dragon_boat") == 0)
    md = lunar[year - FIRST_YEAR].dragon;
  else if (g_strcmp0 (occasion, "mid_autumn") == 0)
    md = lunar[year - FIRST_YEAR].autumn;
  else
    return FALSE;
  g_date_set_dmy (out_date, md[1], md[0], year);
  if (g_str_equal (occasion, "lantern"))
    g_date_add_days (out_date, 14);
  return TRUE;
}

const char *
crm_greetings_holiday_on (const char *date)
{
  GDate d;

  g_date_clear (&d, 1);
  g_date_set_parse (&d, date);
  if (!g_date_valid (&d))
    return NULL;
  for (guint i = 0; holidays[i] != NULL; i++)
    {
      GDate h;

      if (crm_greetings_holiday_date (holidays[i], g_date_get_year (&d), &h) && g_date_compare (&h, &d) == 0)
        return holidays[i];
    }
  return NULL;
}

const char *
crm_greetings_occasion_name (const char *occasion)
{
  if (g_strcmp0 (occasion, "birthday") == 0)
    return _("Birthday");
  if (g_strcmp0 (occasion, "new_year") == 0)
    return _("New Year");
  if (g_strcmp0 (occasion, "spring_festival") == 0)
    return _("Spring Festival");
  if (g_strcmp0 (occasion, "lantern") == 0)
    return _("Lantern Festival");
  if (g_strcmp0 (occasion, "dragon_boat") == 0)
    return _("Dragon Boat Festival");
  if (g_strcmp0 (occasion, "mid_autumn") == 0)
    return _("Mid-Autumn Festival");
  return occasion;
}

static void
default_texts (const char  *occasion,
               const char **subject,
               const char **body)
{
  if (g_str_equal (occasion, "birthday"))
    {
      *subject = _("Happy birthday, {{name}}!");
      *body = _("Dear {{name}},\n\nHappy birthday! We wish you health and joy in the year ahead.");
    }
  else if (g_str_equal (occasion, "new_year"))
    {
      *subject = _("Happy New Year, {{name}}");
      *body = _("Dear {{name}},\n\nThank you for your support. Happy New Year!");
    }
  else if (g_str_equal (occasion, "spring_festival"))
    {
      *subject = _("Happy Spring Festival, {{name}}");
      *body = _("Dear {{name}},\n\nWishing you and your family a happy and prosperous Spring Festival!");
    }
  else if (g_str_equal (occasion, "lantern"))
    {
      *subject = _("Happy Lantern Festival, {{name}}");
      *body = _("Dear {{name}},\n\nWishing you a bright and happy Lantern Festival!");
    }
  else if (g_str_equal (occasion, "dragon_boat"))
    {
      *subject = _("Happy Dragon Boat Festival, {{name}}");
      *body = _("Dear {{name}},\n\nWishing you good health this Dragon Boat Festival!");
    }
  else
    {
      *subject = _("Happy Mid-Autumn Festival, {{name}}");
      *body = _("Dear {{name}},\n\nMay the full moon bring you and your family a happy reunion!");
    }
}

void
crm_greeting_free (CrmGreeting *greeting)
{
  if (greeting == NULL)
    return;
  g_free (greeting->contact_id);
  g_free (greeting->name);
  g_free (greeting->occasion);
  g_free (greeting->key);
  g_free (greeting->address);
  g_free (greeting->subject);
  g_free (greeting->body);
  g_free (greeting);
}

static gboolean
add_due (CrmStore    *store,
         GPtrArray   *out,
         const char  *occasion,
         const GDate *date,
         const char  *channel,
         JsonObject  *templates,
         GError     **error)
{
  g_autofree char *key = g_strdup_printf ("%s:%d", occasion, g_date_get_year (date));
  g_autofree char *month_day = g_strdup_printf ("%02d-%02d", g_date_get_month (date), g_date_get_day (date));
  g_autofree char *date_text = g_strdup_printf ("%04d-%s", g_date_get_year (date), month_day);
  gboolean birthday = g_str_equal (occasion, "birthday");
  gboolean leap_fallback = birthday && g_date_get_month (date) == 2 && g_date_get_day (date) == 28 &&
                           !g_date_is_leap_year (g_date_get_year (date));
  const char *subject_template, *body_template;
  JsonObject *override = templates != NULL && json_object_has_member (templates, occasion) &&
                         JSON_NODE_HOLDS_OBJECT (json_object_get_member (templates, occasion))
                         ? json_object_get_object_member (templates, occasion) : NULL;
  g_autoptr(CrmCachedStmt) stmt = crm_store_prepare (store,
    "SELECT c.id, c.name, CASE WHEN ?1 = 'email' THEN json_extract (c.emails, '$[0]')"
    "  ELSE coalesce (json_extract (c.phones, '$[0].e164'), json_extract (c.phones, '$[0].raw')) END"
    " FROM contacts c WHERE c.deleted = 0"
    " AND CASE WHEN ?1 = 'email' THEN c.consent_email ELSE c.consent_sms END = 1"
    " AND (?2 IS NULL OR substr (c.birthday, 6) = ?2 OR (?3 AND substr (c.birthday, 6) = '02-29'))"
    " AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.contact_id = c.id AND a.greeting_key = ?4)"
    " ORDER BY c.name_sort, c.rid", error);
  int rc;

  default_texts (occasion, &subject_template, &body_template);
  if (override != NULL)
    {
      subject_template = json_object_get_string_member_with_default (override, "subject", subject_template);
      body_template = json_object_get_string_member_with_default (override, "body", body_template);
    }
  if (stmt == NULL)
    return FALSE;
  crm_stmt_bind_text (stmt, 1, channel);
  crm_stmt_bind_text (stmt, 2, birthday ? month_day : NULL);
  sqlite3_bind_int (stmt, 3, leap_fallback);
  crm_stmt_bind_text (stmt, 4, key);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CrmGreeting *g;

      if (sqlite3_column_type (stmt, 2) == SQLITE_NULL)
        continue;
      g = g_new0 (CrmGreeting, 1);
      g->contact_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      g->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      g->address = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      g->occasion = g_strdup (occasion);
      g->key = g_strdup (key);
      g_ptr_array_add (out, g);
    }
  if (rc != SQLITE_DONE)
    {
      crm_store_take_error (store, rc, error);
      return FALSE;
    }
  g_clear_pointer (&stmt, crm_cached_stmt_release);

  /* Rendered after the query: contact_values uses the statement cache too. */
  for (guint i = 0; i < out->len; i++)
    {
      CrmGreeting *g = g_ptr_array_index (out, i);
      g_autoptr(GHashTable) values = NULL;

      if (g->subject != NULL || !g_str_equal (g->occasion, occasion))
        continue;
      values = crm_campaign_contact_values (store, g->contact_id, NULL, date_text, error);
      if (values == NULL)
        return FALSE;
      g->subject = crm_campaign_render_text (subject_template, values);
      g->body = crm_campaign_render_text (body_template, values);
    }
  return TRUE;
}

GPtrArray *
crm_greetings_due (CrmStore    *store,
                   const char  *date,
                   const char  *channel,
                   const char  *templates_json,
                   GError     **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_greeting_free);
  g_autoptr(JsonNode) templates = NULL;
  g_autofree char *today = NULL;
  const char *holiday;
  GDate d;

  if (!g_str_equal (channel, "email") && !g_str_equal (channel, "sms"))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("Greetings go by email or SMS, not “%s”."), channel);
      return NULL;
    }
  if (templates_json != NULL)
    {
      g_autoptr(GError) parse_error = NULL;

      templates = json_from_string (templates_json, &parse_error);
      if (templates == NULL || !JSON_NODE_HOLDS_OBJECT (templates))
        {
          g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID, _("templates: not valid JSON: %s"),
                       parse_error != NULL ? parse_error->message : _("expected an object"));
          return NULL;
        }
    }
  if (date == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      date = today = g_date_time_format (now, "%Y-%m-%d");
    }
  g_date_clear (&d, 1);
  g_date_set_parse (&d, date);
  if (!g_date_valid (&d))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID, _("“%s” is not a date (YYYY-MM-DD)."), date);
      return NULL;
    }

  if (!add_due (store, out, "birthday", &d, channel, templates != NULL ? json_node_get_object (templates) : NULL, error))
    return NULL;
  holiday = crm_greetings_holiday_on (date);
  if (holiday != NULL &&
      !add_due (store, out, holiday, &d, channel, templates != NULL ? json_node_get_object (templates) : NULL, error))
    return NULL;
  return g_steal_pointer (&out);
}

gboolean
crm_greetings_record (CrmStore          *store,
                      const CrmGreeting *greeting,
                      const char        *channel,
                      GError           **error)
{
  g_autoptr(CrmActivity) activity = crm_activity_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *done = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autoptr(GError) local_error = NULL;

  g_object_set (activity, "contact-id", greeting->contact_id,
                "kind", g_strcmp0 (channel, "email") == 0 ? "email" : "note",
                "subject", greeting->subject, "body", greeting->body, "done-at", done,
                "greeting-key", greeting->key, NULL);
  if (!crm_store_insert (store, CRM_RECORD (activity), &local_error))
    {
      if (g_error_matches (local_error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID) ||
          strstr (local_error->message, "UNIQUE") != NULL)
        g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                     _("%s was already greeted for this occasion (%s)."), greeting->name, greeting->key);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_greetings_send_due (CrmStore             *store,
                        const char           *date,
                        const CrmSmtpConfig  *config,
                        const char           *templates_json,
                        GCancellable         *cancellable,
                        guint                *out_sent,
                        guint                *out_failed,
                        GError              **error)
{
  g_autoptr(GPtrArray) due = crm_greetings_due (store, date, "email", templates_json, error);
  g_autoptr(GError) local_error = NULL;
  guint sent = 0, failed = 0;

  if (due == NULL)
    return FALSE;
  for (guint i = 0; i < due->len; i++)
    {
      CrmGreeting *g = g_ptr_array_index (due, i);
      g_autofree char *message_id = g_strdup_printf ("%s.%s", g->key, g->contact_id);
      g_autoptr(GError) send_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        break;
      g_strdelimit (message_id, ":", '.');
      if (!crm_smtp_send_message (config, g->address, g->subject, g->body, message_id, &send_error))
        {
          /* The first message failing is most likely the relay, not the
           * address: stop rather than fail everyone. */
          if (sent == 0 && failed == 0)
            {
              local_error = g_steal_pointer (&send_error);
              break;
            }
          g_debug ("Greeting for %s not sent: %s", g->contact_id, send_error->message);
          failed++;
          continue;
        }
      if (!crm_greetings_record (store, g, "email", &local_error))
        break;
      sent++;
    }
  if (out_sent != NULL)
    *out_sent = sent;
  if (out_failed != NULL)
    *out_failed = failed;
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
