/* crm-uuid.c: UUIDv7 (RFC 9562) so ids sort by creation time and replicas never collide */

#include "config.h"

#include "crm-uuid.h"

#include <string.h>

G_LOCK_DEFINE_STATIC (uuid_lock);

/* Ids made in the same millisecond by one process must still sort in
 * creation order, so the 12-bit rand_a field carries a counter seeded
 * randomly each new millisecond (RFC 9562 §6.2, method 1). */
static gint64 last_ms;
static guint16 last_counter;

char *
crm_uuid_v7_new_at (gint64 unix_ms)
{
  guint8 b[16];
  guint16 counter;
  guint32 random_bits[2];

  G_LOCK (uuid_lock);
  if (unix_ms <= last_ms)
    {
      unix_ms = last_ms;
      counter = ++last_counter;
      if (counter > 0x0fff)
        {
          /* Counter overflow: borrow the next millisecond rather than repeat. */
          unix_ms = ++last_ms;
          counter = last_counter = g_random_int_range (0, 0x0800);
        }
    }
  else
    {
      last_ms = unix_ms;
      counter = last_counter = g_random_int_range (0, 0x0800);
    }
  G_UNLOCK (uuid_lock);

  b[0] = (unix_ms >> 40) & 0xff;
  b[1] = (unix_ms >> 32) & 0xff;
  b[2] = (unix_ms >> 24) & 0xff;
  b[3] = (unix_ms >> 16) & 0xff;
  b[4] = (unix_ms >> 8) & 0xff;
  b[5] = unix_ms & 0xff;
  b[6] = 0x70 | ((counter >> 8) & 0x0f);
  b[7] = counter & 0xff;
  random_bits[0] = g_random_int ();
  random_bits[1] = g_random_int ();
  memcpy (&b[8], random_bits, sizeof random_bits);
  b[8] = 0x80 | (b[8] & 0x3f);

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

char *
crm_uuid_v7_new (void)
{
  return crm_uuid_v7_new_at (g_get_real_time () / 1000);
}

gboolean
crm_uuid_is_valid (const char *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;

  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (text[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
        return FALSE;
    }

  return TRUE;
}

gint64
crm_uuid_v7_get_time (const char *uuid)
{
  gint64 ms = 0;

  g_return_val_if_fail (crm_uuid_is_valid (uuid), -1);

  for (guint i = 0; i < 13; i++)
    {
      if (uuid[i] == '-')
        continue;
      ms = (ms << 4) | g_ascii_xdigit_value (uuid[i]);
    }

  return ms;
}
