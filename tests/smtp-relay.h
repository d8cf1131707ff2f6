/* smtp-relay.h: tests/smtp-server.py, a real SMTP relay on a free port of 127.0.0.1 that logs what it accepts */
#pragma once

#include <gio/gio.h>

/* Starts the relay logging to @log_path and returns it with its port in
 * @out_port; NULL when python3 is missing (the caller skips). Stop it
 * with smtp_relay_stop(). */
static inline GSubprocess *
smtp_relay_start (const char *log_path,
                  guint      *out_port)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "smtp-server.py", NULL);
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  GSubprocess *relay;

  if (python == NULL)
    return NULL;
  relay = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, python, script, log_path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (relay));
  port = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (port);
  *out_port = (guint) g_ascii_strtoull (port, NULL, 10);
  return relay;
}

static inline void
smtp_relay_stop (GSubprocess *relay)
{
  if (relay == NULL)
    return;
  g_subprocess_force_exit (relay);
  g_subprocess_wait (relay, NULL, NULL);
  g_object_unref (relay);
}
