/* fuzz-replay.c: runs a fuzz target over its corpus files, without libFuzzer
 *
 * Every seed and every input that once crashed a target lives in
 * tests/fuzz/corpus/TARGET/; replaying them in `meson test` keeps the fixes
 * fixed in builds that have no fuzzer (gcc, the sanitizer build, CI).
 */
#include "config.h"

#include <glib.h>
#include <locale.h>

#include "fuzz-target.h"

static guint
replay_path (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;
      guint n = 0;

      if (dir == NULL)
        g_error ("%s", error->message);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
      /* The same order on every machine, so a failure is reproducible. */
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      for (guint i = 0; i < names->len; i++)
        n += replay_path (g_ptr_array_index (names, i));
      return n;
    }

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  g_print ("%s (%zu bytes)\n", path, length);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  return 1;
}

int
main (int   argc,
      char *argv[])
{
  guint n = 0;

  setlocale (LC_ALL, "");
  if (argc < 2)
    {
      g_printerr ("usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    n += replay_path (argv[i]);
  if (n == 0)
    {
      g_printerr ("no corpus files found\n");
      return 1;
    }
  g_print ("%u inputs replayed\n", n);
  return 0;
}
