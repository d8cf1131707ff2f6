/* crm-hlc.c: hybrid logical clock (Kulkarni et al.) as sortable text */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "crm-hlc.h"
#include "crm-store-error.h"

struct _CrmHlc
{
  GMutex mutex;
  char *client_id;
  gint64 ms;          /* logical wall time, never goes back */
  guint counter;      /* 0..0xffff, orders events within one ms */
};

#define MAX_COUNTER 0xffff
/* 9999-12-31T23:59:59.999Z: the text form has a four-digit year. */
#define MAX_MS G_GINT64_CONSTANT (253402300799999)

CrmHlc *
crm_hlc_new (const char *client_id)
{
  CrmHlc *hlc;

  g_return_val_if_fail (client_id != NULL && *client_id != '\0', NULL);

  hlc = g_new0 (CrmHlc, 1);
  g_mutex_init (&hlc->mutex);
  hlc->client_id = g_strdup (client_id);
  return hlc;
}

void
crm_hlc_free (CrmHlc *hlc)
{
  if (hlc == NULL)
    return;
  g_mutex_clear (&hlc->mutex);
  g_free (hlc->client_id);
  g_free (hlc);
}

const char *
crm_hlc_get_client_id (CrmHlc *hlc)
{
  return hlc->client_id;
}

char *
crm_hlc_format (gint64      ms,
                guint       counter,
                const char *client_id)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *date = NULL;

  g_return_val_if_fail (ms >= 0 && ms <= MAX_MS, NULL);
  g_return_val_if_fail (counter <= MAX_COUNTER, NULL);

  dt = g_date_time_new_from_unix_utc (ms / 1000);
  date = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ-%04X-%s", date, (int) (ms % 1000), counter,
                          client_id);
}

static gboolean
parse_digits (const char *s,
              guint       n,
              int        *out)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (s[i] - '0');
    }
  *out = v;
  return TRUE;
}

gboolean
crm_hlc_parse (const char  *text,
               gint64      *out_ms,
               guint       *out_counter,
               char       **out_client_id)
{
  int year, month, day, hour, minute, second, milli;
  guint counter = 0;
  g_autoptr(GDateTime) dt = NULL;

  /* "YYYY-MM-DDTHH:MM:SS.mmmZ-CCCC-" is 30 characters, then the client id. */
  if (text == NULL || strlen (text) < 31)
    return FALSE;
  if (!parse_digits (text, 4, &year) || text[4] != '-' ||
      !parse_digits (text + 5, 2, &month) || text[7] != '-' ||
      !parse_digits (text + 8, 2, &day) || text[10] != 'T' ||
      !parse_digits (text + 11, 2, &hour) || text[13] != ':' ||
      !parse_digits (text + 14, 2, &minute) || text[16] != ':' ||
      !parse_digits (text + 17, 2, &second) || text[19] != '.' ||
      !parse_digits (text + 20, 3, &milli) || text[23] != 'Z' ||
      text[24] != '-' || text[29] != '-')
    return FALSE;

  for (guint i = 25; i < 29; i++)
    {
      /* Upper-case hex only: lower case would sort differently. */
      if (g_ascii_isdigit (text[i]))
        counter = counter * 16 + (text[i] - '0');
      else if (text[i] >= 'A' && text[i] <= 'F')
        counter = counter * 16 + (text[i] - 'A' + 10);
      else
        return FALSE;
    }

  dt = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (dt == NULL)
    return FALSE;
  /* g_date_time_new_utc() accepts 24:00 and rounds; the text must be canonical. */
  if (g_date_time_get_hour (dt) != hour || g_date_time_get_day_of_month (dt) != day)
    return FALSE;

  if (out_ms != NULL)
    *out_ms = g_date_time_to_unix (dt) * 1000 + milli;
  if (out_counter != NULL)
    *out_counter = counter;
  if (out_client_id != NULL)
    *out_client_id = g_strdup (text + 30);
  return TRUE;
}

int
crm_hlc_compare (const char *a,
                 const char *b)
{
  /* The text is designed so that byte order is clock order. */
  int r = g_strcmp0 (a, b);

  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

/* Must hold the mutex. Advances past (ms, counter), borrowing the next
 * millisecond when the counter runs out rather than repeating a value. */
static void
tick (CrmHlc *hlc)
{
  if (hlc->counter >= MAX_COUNTER)
    {
      hlc->ms++;
      hlc->counter = 0;
    }
  else
    hlc->counter++;
}

char *
crm_hlc_now_at (CrmHlc *hlc,
                gint64  wall_ms)
{
  char *ret;

  g_mutex_lock (&hlc->mutex);
  if (wall_ms > hlc->ms)
    {
      hlc->ms = MIN (wall_ms, MAX_MS);
      hlc->counter = 0;
    }
  else
    tick (hlc);
  ret = crm_hlc_format (hlc->ms, hlc->counter, hlc->client_id);
  g_mutex_unlock (&hlc->mutex);

  return ret;
}

char *
crm_hlc_now (CrmHlc *hlc)
{
  return crm_hlc_now_at (hlc, g_get_real_time () / 1000);
}

char *
crm_hlc_receive_at (CrmHlc      *hlc,
                    const char  *remote,
                    gint64       wall_ms,
                    GError     **error)
{
  gint64 remote_ms;
  guint remote_counter;
  gint64 old_ms;
  char *ret;

  if (!crm_hlc_parse (remote, &remote_ms, &remote_counter, NULL))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                   _("“%s” is not a valid clock value. The other replica may run an incompatible version of CRM."),
                   remote != NULL ? remote : "");
      return NULL;
    }

  /* A replica whose clock runs far ahead would otherwise drag every later
   * edit into the future and win every conflict; trust it only so far. */
  if (remote_ms > wall_ms + CRM_HLC_MAX_DRIFT_MS)
    {
      remote_ms = wall_ms + CRM_HLC_MAX_DRIFT_MS;
      remote_counter = 0;
    }

  g_mutex_lock (&hlc->mutex);
  old_ms = hlc->ms;
  hlc->ms = MIN (MAX (MAX (old_ms, remote_ms), wall_ms), MAX_MS);
  if (hlc->ms == old_ms && hlc->ms == remote_ms)
    {
      hlc->counter = MAX (hlc->counter, remote_counter);
      tick (hlc);
    }
  else if (hlc->ms == old_ms)
    tick (hlc);
  else if (hlc->ms == remote_ms)
    {
      hlc->counter = remote_counter;
      tick (hlc);
    }
  else
    hlc->counter = 0;
  ret = crm_hlc_format (hlc->ms, hlc->counter, hlc->client_id);
  g_mutex_unlock (&hlc->mutex);

  return ret;
}

char *
crm_hlc_receive (CrmHlc      *hlc,
                 const char  *remote,
                 GError     **error)
{
  return crm_hlc_receive_at (hlc, remote, g_get_real_time () / 1000, error);
}

char *
crm_hlc_get_last (CrmHlc *hlc)
{
  char *ret;

  g_mutex_lock (&hlc->mutex);
  ret = crm_hlc_format (hlc->ms, hlc->counter, hlc->client_id);
  g_mutex_unlock (&hlc->mutex);
  return ret;
}

/* Called with the value saved in the database, so the clock never issues a
 * timestamp at or below one it issued before a restart, even when the
 * wall clock was set back in between. */
gboolean
crm_hlc_restore (CrmHlc      *hlc,
                 const char  *last,
                 GError     **error)
{
  gint64 ms;
  guint counter;

  if (!crm_hlc_parse (last, &ms, &counter, NULL))
    {
      g_set_error (error, CRM_STORE_ERROR, CRM_STORE_ERROR_CORRUPT,
                   _("The saved clock value “%s” is not valid. Run “crmctl check”."),
                   last != NULL ? last : "");
      return FALSE;
    }

  g_mutex_lock (&hlc->mutex);
  if (ms > hlc->ms || (ms == hlc->ms && counter > hlc->counter))
    {
      hlc->ms = ms;
      hlc->counter = counter;
    }
  g_mutex_unlock (&hlc->mutex);
  return TRUE;
}
