/* crm-vcard.c: reading vCard 2.1, 3.0 and 4.0 into contact fields, and writing 3.0 and 4.0 */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "crm-import-error.h"
#include "crm-vcard.h"

/* A property longer than this (other than binary data, which is skipped)
 * means a broken file rather than a contact. */
#define MAX_LOGICAL_LINE (1024 * 1024)
#define FOLD_WIDTH 75

struct _CrmVCardReader
{
  GObject parent_instance;

  GDataInputStream *in;
  GString *pending;         /* the logical line being assembled */
  gboolean pending_set;
  gboolean pending_binary;  /* PHOTO and friends: continuation lines dropped */
  gboolean eof;
  guint64 card_number;
  GPtrArray *values;
};

G_DEFINE_FINAL_TYPE (CrmVCardReader, crm_vcard_reader, G_TYPE_OBJECT)

static void
vcard_value_free (CrmVCardValue *value)
{
  g_free (value->property);
  g_free (value->value);
  g_free (value);
}

static void
crm_vcard_reader_finalize (GObject *object)
{
  CrmVCardReader *self = CRM_VCARD_READER (object);

  g_clear_object (&self->in);
  g_string_free (self->pending, TRUE);
  g_ptr_array_unref (self->values);

  G_OBJECT_CLASS (crm_vcard_reader_parent_class)->finalize (object);
}

static void
crm_vcard_reader_class_init (CrmVCardReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_vcard_reader_finalize;
}

static void
crm_vcard_reader_init (CrmVCardReader *self)
{
  self->pending = g_string_new (NULL);
  self->values = g_ptr_array_new_with_free_func ((GDestroyNotify) vcard_value_free);
}

CrmVCardReader *
crm_vcard_reader_new (GInputStream *stream)
{
  CrmVCardReader *self = g_object_new (CRM_TYPE_VCARD_READER, NULL);

  self->in = g_data_input_stream_new (stream);
  g_data_input_stream_set_newline_type (self->in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  return self;
}

guint64
crm_vcard_reader_get_card_number (CrmVCardReader *self)
{
  g_return_val_if_fail (CRM_IS_VCARD_READER (self), 0);
  return self->card_number;
}

gboolean
crm_vcard_sniff (const char *data,
                 gsize       length)
{
  gsize i = 0;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < length && g_ascii_isspace (data[i]))
    i++;
  return length - i >= 11 && g_ascii_strncasecmp (data + i, "BEGIN:VCARD", 11) == 0;
}

/* --- Logical lines -------------------------------------------------------- */

/* The end of the name-and-parameters part: the first colon outside
 * double quotes. */
static const char *
find_value_colon (const char *line)
{
  gboolean quoted = FALSE;

  for (const char *p = line; *p; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (*p == ':' && !quoted)
        return p;
    }
  return NULL;
}

static gboolean
head_contains (const char *line,
               const char *word)
{
  const char *colon = find_value_colon (line);
  g_autofree char *head = g_ascii_strup (line, colon != NULL ? colon - line : -1);

  return strstr (head, word) != NULL;
}

static gboolean
is_binary_property (const char *line)
{
  static const char * const names[] = { "PHOTO", "LOGO", "SOUND", "KEY", NULL };
  const char *dot = strchr (line, '.');
  const char *name = line;

  /* item1.PHOTO: the group prefix is not part of the name. */
  if (dot != NULL && dot < find_value_colon (line))
    name = dot + 1;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strncasecmp (name, names[i], strlen (names[i])) == 0 &&
        (name[strlen (names[i])] == ';' || name[strlen (names[i])] == ':'))
      return TRUE;
  return FALSE;
}

/* Returns the next logical line (unfolded), or NULL at the end. */
static char *
next_logical_line (CrmVCardReader  *self,
                   GCancellable    *cancellable,
                   GError         **error)
{
  for (;;)
    {
      g_autofree char *line = NULL;
      gsize length = 0;
      g_autoptr(GError) local_error = NULL;

      if (!self->eof)
        {
          line = g_data_input_stream_read_line (self->in, &length, cancellable, &local_error);
          if (line == NULL && local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (line == NULL)
            self->eof = TRUE;
        }

      if (line != NULL && self->pending_set)
        {
          gboolean folded = line[0] == ' ' || line[0] == '\t';
          /* Quoted-printable soft line break: "=" at the end. */
          gboolean soft = !self->pending_binary && self->pending->len > 0 &&
                          self->pending->str[self->pending->len - 1] == '=' &&
                          head_contains (self->pending->str, "QUOTED-PRINTABLE");

          if (soft)
            {
              g_string_truncate (self->pending, self->pending->len - 1);
              g_string_append (self->pending, folded ? line + 1 : line);
              continue;
            }
          if (folded)
            {
              if (!self->pending_binary)
                g_string_append (self->pending, line + 1);
              if (self->pending->len > MAX_LOGICAL_LINE)
                {
                  g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_FORMAT,
                               _("Card %" PRIu64 " has a line longer than %d bytes; the file is damaged."),
                               self->card_number, MAX_LOGICAL_LINE);
                  return NULL;
                }
              continue;
            }
          /* vCard 2.1 base64 data runs until a blank line, often unindented. */
          if (self->pending_binary && line[0] != '\0' && find_value_colon (line) == NULL)
            continue;
        }

      if (line != NULL && line[0] == '\0')
        {
          if (self->pending_set && self->pending_binary)
            continue;
          if (!self->pending_set)
            continue;
        }

      if (self->pending_set)
        {
          char *result = g_strdup (self->pending->str);

          self->pending_set = FALSE;
          g_string_truncate (self->pending, 0);
          if (line != NULL && line[0] != '\0')
            {
              g_string_assign (self->pending, line);
              self->pending_set = TRUE;
              self->pending_binary = is_binary_property (line);
            }
          return result;
        }

      if (line == NULL)
        return NULL;
      g_string_assign (self->pending, line);
      self->pending_set = TRUE;
      self->pending_binary = is_binary_property (line);
    }
}

/* --- Values --------------------------------------------------------------- */

static GByteArray *
decode_quoted_printable (const char *text)
{
  GByteArray *bytes = g_byte_array_new ();

  for (const char *p = text; *p; p++)
    {
      if (*p == '=' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          guint8 b = (guint8) (g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2]));

          g_byte_array_append (bytes, &b, 1);
          p += 2;
        }
      else
        g_byte_array_append (bytes, (const guint8 *) p, 1);
    }
  return bytes;
}

/* Text in @charset, or guessed: old Chinese phones write GB2312 without
 * saying so. */
static char *
to_utf8 (const char *data,
         gsize       length,
         const char *charset)
{
  char *converted = NULL;

  /* An empty quoted-printable value has no bytes at all (data is NULL). */
  if (length == 0)
    return g_strdup ("");
  if (charset != NULL && g_ascii_strcasecmp (charset, "UTF-8") != 0)
    {
      const char *from = charset;

      if (g_ascii_strcasecmp (charset, "GB2312") == 0 || g_ascii_strcasecmp (charset, "GBK") == 0)
        from = "GB18030";
      converted = g_convert (data, (gssize) length, "UTF-8", from, NULL, NULL, NULL);
      if (converted != NULL)
        return converted;
    }
  if (g_utf8_validate (data, (gssize) length, NULL))
    return g_strndup (data, length);
  converted = g_convert (data, (gssize) length, "UTF-8", "GB18030", NULL, NULL, NULL);
  if (converted != NULL)
    return converted;
  converted = g_convert_with_fallback (data, (gssize) length, "UTF-8", "WINDOWS-1252", "?", NULL, NULL, NULL);
  if (converted != NULL)
    return converted;
  /* Bytes that are not even Windows-1252 (0x81, 0x8D…): keep what reads. */
  return g_utf8_make_valid (data, (gssize) length);
}

/* Splits a structured value on unescaped @separator and undoes the
 * escapes of each part. */
static GStrv
split_value (const char *value,
             char        separator)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) part = g_string_new (NULL);

  for (const char *p = value;; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          if (*p == 'n' || *p == 'N')
            g_string_append_c (part, '\n');
          else
            g_string_append_c (part, *p);
          continue;
        }
      if (*p == separator || *p == '\0')
        {
          g_strv_builder_add (builder, part->str);
          g_string_truncate (part, 0);
          if (*p == '\0')
            break;
          continue;
        }
      g_string_append_c (part, *p);
    }
  return g_strv_builder_end (builder);
}

static char *
unescape (const char *value)
{
  g_auto(GStrv) parts = split_value (value, '\0');

  return g_strdup (parts[0] != NULL ? parts[0] : "");
}

static gboolean
has_cjk (const char *text)
{
  for (const char *p = text; p != NULL && *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF))
        return TRUE;
    }
  return FALSE;
}

static void
add_value (CrmVCardReader *self,
           const char     *field,
           const char     *property,
           const char     *value)
{
  CrmVCardValue *v;
  g_autofree char *trimmed = g_strstrip (g_strdup (value));

  if (*trimmed == '\0')
    return;
  v = g_new0 (CrmVCardValue, 1);
  v->field = field;
  v->property = g_strdup (property);
  v->value = g_steal_pointer (&trimmed);
  g_ptr_array_add (self->values, v);
}

static gboolean
has_field (CrmVCardReader *self,
           const char     *field)
{
  for (guint i = 0; i < self->values->len; i++)
    if (g_str_equal (((CrmVCardValue *) g_ptr_array_index (self->values, i))->field, field))
      return TRUE;
  return FALSE;
}

/* Maps one property to import fields. */
static void
take_property (CrmVCardReader *self,
               const char     *name,
               const char     *raw_value,
               char          **n_value)
{
  if (g_str_equal (name, "FN"))
    {
      g_autofree char *v = unescape (raw_value);
      add_value (self, "name", name, v);
    }
  else if (g_str_equal (name, "N"))
    {
      /* A card with two N lines: the last one counts, as for FN. */
      g_free (*n_value);
      *n_value = g_strdup (raw_value);
    }
  else if (g_str_equal (name, "TEL"))
    {
      g_autofree char *v = unescape (raw_value);
      add_value (self, "phone", name, g_str_has_prefix (v, "tel:") ? v + 4 : v);
    }
  else if (g_str_equal (name, "EMAIL"))
    {
      g_autofree char *v = unescape (raw_value);
      add_value (self, "email", name, g_str_has_prefix (v, "mailto:") ? v + 7 : v);
    }
  else if (g_str_equal (name, "ORG"))
    {
      g_auto(GStrv) parts = split_value (raw_value, ';');
      add_value (self, "organization", name, parts[0] != NULL ? parts[0] : "");
    }
  else if (g_str_equal (name, "TITLE"))
    {
      g_autofree char *v = unescape (raw_value);
      add_value (self, "title", name, v);
    }
  else if (g_str_equal (name, "ROLE"))
    {
      g_autofree char *v = unescape (raw_value);
      add_value (self, "occupation", name, v);
    }
  else if (g_str_equal (name, "ADR"))
    {
      g_auto(GStrv) parts = split_value (raw_value, ';');
      guint n = g_strv_length (parts);
      g_autofree char *street = NULL;

      /* post office box; extended address; street; locality; region; code; country */
      street = g_strjoin (" ", n > 2 ? parts[2] : "", n > 1 ? parts[1] : "", NULL);
      if (!has_field (self, "address"))
        {
          add_value (self, "address", name, street);
          add_value (self, "city", name, n > 3 ? parts[3] : "");
          add_value (self, "province", name, n > 4 ? parts[4] : "");
        }
    }
  else if (g_str_equal (name, "BDAY"))
    {
      g_autofree char *v = unescape (raw_value);
      /* --0517: a birthday without a year cannot be stored as a date. */
      if (!g_str_has_prefix (v, "--"))
        add_value (self, "birthday", name, v);
    }
  else if (g_str_equal (name, "NOTE"))
    {
      g_autofree char *v = unescape (raw_value);
      add_value (self, "notes", name, v);
    }
  else if (g_str_equal (name, "CATEGORIES"))
    {
      g_auto(GStrv) parts = split_value (raw_value, ',');
      for (guint i = 0; parts[i] != NULL; i++)
        add_value (self, "tags", name, parts[i]);
    }
  else if (g_str_equal (name, "GENDER") || g_str_equal (name, "X-GENDER"))
    {
      g_auto(GStrv) parts = split_value (raw_value, ';');
      const char *sex = parts[0] != NULL ? parts[0] : "";

      if (g_ascii_strcasecmp (sex, "M") == 0 || g_ascii_strcasecmp (sex, "male") == 0)
        add_value (self, "gender", name, "male");
      else if (g_ascii_strcasecmp (sex, "F") == 0 || g_ascii_strcasecmp (sex, "female") == 0)
        add_value (self, "gender", name, "female");
      else if (g_ascii_strcasecmp (sex, "O") == 0 || g_ascii_strcasecmp (sex, "other") == 0)
        add_value (self, "gender", name, "other");
    }
  else if (g_str_equal (name, "KIND") || g_str_equal (name, "X-CRM-KIND"))
    {
      g_autofree char *v = unescape (raw_value);
      if (g_ascii_strcasecmp (v, "org") == 0 || g_ascii_strcasecmp (v, "organization") == 0)
        add_value (self, "kind", name, "organization");
      else if (g_ascii_strcasecmp (v, "individual") == 0 || g_ascii_strcasecmp (v, "person") == 0)
        add_value (self, "kind", name, "person");
    }
  else if (g_str_equal (name, "X-CRM-SOURCE"))
    {
      g_autofree char *v = unescape (raw_value);
      add_value (self, "source", name, v);
    }
  else if (g_str_equal (name, "X-CRM-EXTERNAL-ID"))
    {
      g_autofree char *v = unescape (raw_value);
      add_value (self, "external_id", name, v);
    }
}

/* Parses "group.NAME;PARAMS:VALUE" and decodes the value. */
static void
parse_line (CrmVCardReader  *self,
            const char      *line,
            char           **out_name,
            char           **out_value)
{
  const char *colon = find_value_colon (line);
  g_autofree char *head = g_strndup (line, colon != NULL ? (gsize) (colon - line) : strlen (line));
  const char *raw = colon != NULL ? colon + 1 : "";
  g_auto(GStrv) params = g_strsplit (head, ";", -1);
  /* A line that starts with its colon has no name: g_strsplit("") is empty. */
  const char *name = params[0] != NULL ? params[0] : "";
  const char *dot = strchr (name, '.');
  g_autofree char *charset = NULL;
  gboolean qp = FALSE;

  if (dot != NULL)
    name = dot + 1;

  for (guint i = 1; i < g_strv_length (params); i++)
    {
      g_autofree char *upper = g_ascii_strup (params[i], -1);

      if (g_str_equal (upper, "QUOTED-PRINTABLE") || g_str_equal (upper, "ENCODING=QUOTED-PRINTABLE"))
        qp = TRUE;
      else if (g_str_has_prefix (upper, "CHARSET="))
        {
          g_free (charset);
          charset = g_strdup (params[i] + strlen ("CHARSET="));
        }
    }

  *out_name = g_ascii_strup (name, -1);
  if (qp)
    {
      g_autoptr(GByteArray) bytes = decode_quoted_printable (raw);

      *out_value = to_utf8 ((const char *) bytes->data, bytes->len, charset);
    }
  else
    *out_value = to_utf8 (raw, strlen (raw), charset);
}

gboolean
crm_vcard_reader_next (CrmVCardReader  *self,
                       GPtrArray      **out_values,
                       GCancellable    *cancellable,
                       GError         **error)
{
  gboolean in_card = FALSE;
  g_autofree char *n_value = NULL;

  g_return_val_if_fail (CRM_IS_VCARD_READER (self), FALSE);

  g_ptr_array_set_size (self->values, 0);
  *out_values = self->values;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *line = next_logical_line (self, cancellable, &local_error);
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (line == NULL)
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (in_card)
            {
              g_set_error (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_FORMAT,
                           _("Card %" PRIu64 " has no END:VCARD; the file is cut off."),
                           self->card_number);
              return FALSE;
            }
          if (self->card_number == 0)
            {
              g_set_error_literal (error, CRM_IMPORT_ERROR, CRM_IMPORT_ERROR_EMPTY,
                                   _("The file contains no vCards (BEGIN:VCARD … END:VCARD)."));
              return FALSE;
            }
          return FALSE;
        }

      if (is_binary_property (line))
        continue;

      parse_line (self, line, &name, &value);
      if (!in_card)
        {
          if (g_str_equal (name, "BEGIN") && g_ascii_strcasecmp (g_strstrip (value), "VCARD") == 0)
            {
              in_card = TRUE;
              self->card_number++;
            }
          continue;
        }
      if (g_str_equal (name, "END"))
        break;
      take_property (self, name, value, &n_value);
    }

  /* No FN (allowed in 2.1): the name from N, in the order its script uses. */
  if (!has_field (self, "name") && n_value != NULL)
    {
      g_auto(GStrv) parts = split_value (n_value, ';');
      const char *family = parts[0] != NULL ? parts[0] : "";
      const char *given = parts[0] != NULL && parts[1] != NULL ? parts[1] : "";
      g_autofree char *full = NULL;

      if (has_cjk (family) || has_cjk (given))
        full = g_strconcat (family, given, NULL);
      else
        full = g_strjoin (" ", given, family, NULL);
      add_value (self, "name", "N", g_strstrip (full));
    }
  return TRUE;
}

/* --- Writing -------------------------------------------------------------- */

static void
append_escaped (GString    *out,
                const char *text,
                gboolean    escape_commas)
{
  for (const char *p = text != NULL ? text : ""; *p; p++)
    {
      if (*p == '\\' || *p == ';' || (*p == ',' && escape_commas))
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p != '\r')
        g_string_append_c (out, *p);
    }
}

/* Folds @line at 75 octets without cutting a UTF-8 character. */
static void
append_folded (GString    *out,
               const char *line)
{
  gsize width = 0;

  for (const char *p = line; *p; p = g_utf8_next_char (p))
    {
      gsize n = (gsize) (g_utf8_next_char (p) - p);

      if (width + n > FOLD_WIDTH)
        {
          g_string_append (out, "\r\n ");
          width = 1;
        }
      g_string_append_len (out, p, (gssize) n);
      width += n;
    }
  g_string_append (out, "\r\n");
}

static void
add_property (GString    *out,
              const char *name,
              const char *value,
              gboolean    escape_commas)
{
  g_autoptr(GString) line = NULL;

  if (value == NULL || *value == '\0')
    return;
  line = g_string_new (name);
  g_string_append_c (line, ':');
  append_escaped (line, value, escape_commas);
  append_folded (out, line->str);
}

void
crm_vcard_append_contact (GString         *out,
                          CrmContact      *contact,
                          const char      *organization_name,
                          CrmVCardVersion  version)
{
  CrmRecord *record = CRM_RECORD (contact);
  const char *name = crm_contact_get_name (contact);
  gboolean organization = g_strcmp0 (crm_contact_get_kind (contact), "organization") == 0;
  const char * const *emails = crm_contact_get_emails (contact);
  const char * const *tags = crm_record_get_strv (record, "tags");
  const char *gender = crm_record_get_string (record, "gender");
  const char *address = crm_record_get_string (record, "address");
  const char *city = crm_record_get_string (record, "city");
  const char *province = crm_record_get_string (record, "province");
  g_auto(GStrv) phones = crm_contact_dup_phone_numbers (contact);
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append (out, "BEGIN:VCARD\r\n");
  g_string_append (out, version == CRM_VCARD_VERSION_4_0 ? "VERSION:4.0\r\n" : "VERSION:3.0\r\n");
  if (version == CRM_VCARD_VERSION_4_0)
    g_string_append (out, organization ? "KIND:org\r\n" : "KIND:individual\r\n");
  else if (organization)
    g_string_append (out, "X-CRM-KIND:organization\r\n");

  add_property (out, "FN", name, TRUE);

  /* N is required in 3.0. A Chinese name has no spaces to split on, so
   * it goes whole into the family part; readers show FN anyway. */
  g_string_assign (line, "N:");
  if (organization || has_cjk (name) || strchr (name, ' ') == NULL)
    {
      append_escaped (line, organization ? "" : name, TRUE);
      g_string_append (line, ";;;;");
    }
  else
    {
      const char *space = strrchr (name, ' ');
      g_autofree char *given = g_strndup (name, (gsize) (space - name));

      append_escaped (line, space + 1, TRUE);
      g_string_append_c (line, ';');
      append_escaped (line, given, TRUE);
      g_string_append (line, ";;;");
    }
  append_folded (out, line->str);

  if (organization)
    add_property (out, "ORG", name, TRUE);
  else
    add_property (out, "ORG", organization_name, TRUE);

  for (guint i = 0; phones != NULL && phones[i] != NULL; i++)
    {
      if (version == CRM_VCARD_VERSION_4_0)
        {
          g_autofree char *uri = g_strconcat ("TEL;VALUE=uri;TYPE=cell:tel:", phones[i], NULL);

          append_folded (out, uri);
        }
      else
        add_property (out, "TEL;TYPE=CELL", phones[i], TRUE);
    }
  for (guint i = 0; emails != NULL && emails[i] != NULL; i++)
    add_property (out, version == CRM_VCARD_VERSION_4_0 ? "EMAIL" : "EMAIL;TYPE=INTERNET", emails[i], TRUE);

  add_property (out, "TITLE", crm_record_get_string (record, "title"), TRUE);
  add_property (out, "ROLE", crm_record_get_string (record, "occupation"), TRUE);

  if (address != NULL || city != NULL || province != NULL)
    {
      g_string_assign (line, "ADR:;;");
      append_escaped (line, address, TRUE);
      g_string_append_c (line, ';');
      append_escaped (line, city, TRUE);
      g_string_append_c (line, ';');
      append_escaped (line, province, TRUE);
      g_string_append (line, ";;");
      append_folded (out, line->str);
    }

  add_property (out, "BDAY", crm_record_get_string (record, "birthday"), TRUE);
  add_property (out, "NOTE", crm_record_get_string (record, "notes"), TRUE);

  if (tags != NULL && tags[0] != NULL)
    {
      g_string_assign (line, "CATEGORIES:");
      for (guint i = 0; tags[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append_c (line, ',');
          append_escaped (line, tags[i], TRUE);
        }
      append_folded (out, line->str);
    }

  if (gender != NULL)
    {
      const char *letter = g_str_equal (gender, "male") ? "M" : g_str_equal (gender, "female") ? "F" : "O";

      add_property (out, version == CRM_VCARD_VERSION_4_0 ? "GENDER" : "X-GENDER", letter, TRUE);
    }
  add_property (out, "X-CRM-SOURCE", crm_record_get_string (record, "source"), TRUE);
  add_property (out, "X-CRM-EXTERNAL-ID", crm_record_get_string (record, "external_id"), TRUE);
  if (crm_record_get_id (record) != NULL)
    {
      g_autofree char *uid = g_strconcat ("UID:urn:uuid:", crm_record_get_id (record), NULL);

      append_folded (out, uid);
    }
  g_string_append (out, "END:VCARD\r\n");
}
