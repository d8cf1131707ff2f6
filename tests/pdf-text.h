/* pdf-text.h: reading a PDF the app wrote back as text (pdftotext), for tests */
#pragma once

#include <glib.h>
#include <string.h>

/* pdftotext of page @page (1-based), or of every page (pages end in a
 * form feed) with @page 0; NULL when pdftotext is missing. */
static inline char *
pdf_text (const char *pdf,
          int         page)
{
  g_autofree char *tool = g_find_program_in_path ("pdftotext");
  g_autofree char *first = g_strdup_printf ("%d", page);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status = 0;

  if (tool == NULL)
    return NULL;
  g_ptr_array_add (argv, tool);
  g_ptr_array_add (argv, (char *) "-enc");
  g_ptr_array_add (argv, (char *) "UTF-8");
  if (page > 0)
    {
      g_ptr_array_add (argv, (char *) "-f");
      g_ptr_array_add (argv, first);
      g_ptr_array_add (argv, (char *) "-l");
      g_ptr_array_add (argv, first);
    }
  g_ptr_array_add (argv, (char *) pdf);
  g_ptr_array_add (argv, (char *) "-");
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

/* How many times @needle occurs in @haystack. */
static inline guint
count_of (const char *haystack,
          const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}
