/* ridge-terminal-sensor.c — the terminal's sensors: synthetic, images folder, libfprint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A sensor has a finger on it or not. Simulated sensors are told by the control socket
 * (or the auto finger) which finger is placed; each placement picks one impression,
 * which stays the same until the finger is lifted, like a finger resting on a real
 * sensor. Reading the sensor gives that impression (or the empty background) with the
 * gain and contrast applied; simulated live frames get a little cheap per-frame noise
 * on top of the cached rendering, as a real sensor's frames differ slightly.
 */
#define G_LOG_DOMAIN "ridge-terminal"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ridge-terminal-private.h"
#include "ridge-image-io.h"

#define BACKGROUND_LEVEL  235
#define SYNTH_CACHE_MAX   48

struct _RidgeSensor {
  RidgeWireSensorType kind;
  char               *description;
  int                 width;
  int                 height;
  int                 dpi;

  gboolean    present;
  guint       finger;
  guint       impression;
  guint32     placement_id;
  RidgeImage *base;                 /* a copy of the placed impression */
  GHashTable *next_impression;      /* finger → next impression index */
  GHashTable *cache;                /* (finger << 32 | impression) → RidgeImage* */
  guint32     noise_state;

  /* images folder */
  char       *dir;
  GHashTable *files;                /* finger → GArray of guint impression numbers, sorted */
  GHashTable *paths;                /* (finger << 32 | impression) → file path */

#ifdef RIDGE_TERMINAL_HAVE_LIBFPRINT
  RidgeFprintSensor *fprint;
  guint32            fprint_capture_id;
#endif
};

void
ridge_sensor_image_free (RidgeImage *img)
{
  if (img == NULL)
    return;
  ridge_image_clear (img);
  g_free (img);
}

static RidgeImage *
image_new (int width,
           int height,
           int dpi)
{
  RidgeImage *img = g_new0 (RidgeImage, 1);

  if (ridge_image_init (img, width, height, dpi) != RIDGE_ENGINE_OK)
    {
      g_free (img);
      return NULL;
    }
  return img;
}

static RidgeImage *
image_copy (const RidgeImage *src)
{
  RidgeImage *img = image_new (src->width, src->height, src->dpi);

  if (img != NULL)
    memcpy (img->pixels, src->pixels, (gsize)src->width * src->height);
  return img;
}

static guint64
cache_key (guint finger,
           guint impression)
{
  return ((guint64)finger << 32) | impression;
}

/* ---- images folder ------------------------------------------------------------------- */

static int
uint_cmp (gconstpointer a,
          gconstpointer b)
{
  guint ua = *(const guint *)a, ub = *(const guint *)b;

  return ua < ub ? -1 : ua > ub;
}

static gboolean
parse_image_name (const char *name,
                  guint      *finger,
                  guint      *impression)
{
  guint64 f, i;
  char *end;

  if (!g_str_has_suffix (name, ".pgm") && !g_str_has_suffix (name, ".png"))
    return FALSE;
  if (!g_ascii_isdigit (name[0]))
    return FALSE;
  f = g_ascii_strtoull (name, &end, 10);
  if (*end != '_' || !g_ascii_isdigit (end[1]) || f > G_MAXUINT32)
    return FALSE;
  i = g_ascii_strtoull (end + 1, &end, 10);
  if (strcmp (end, ".pgm") != 0 && strcmp (end, ".png") != 0)
    return FALSE;
  if (i > G_MAXUINT32)
    return FALSE;
  *finger = f;
  *impression = i;
  return TRUE;
}

static gboolean
images_scan (RidgeSensor *sensor,
             GError     **error)
{
  g_autoptr (GDir) d = g_dir_open (sensor->dir, 0, error);
  const char *name;
  GHashTableIter iter;
  gpointer value;
  guint first_finger = G_MAXUINT;
  guint n = 0;

  if (d == NULL)
    return FALSE;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      guint finger, impression;
      GArray *list;

      if (!parse_image_name (name, &finger, &impression))
        continue;
      list = g_hash_table_lookup (sensor->files, GUINT_TO_POINTER (finger));
      if (list == NULL)
        {
          list = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (sensor->files, GUINT_TO_POINTER (finger), list);
        }
      if (g_hash_table_contains (sensor->paths, &(guint64) { cache_key (finger, impression) }))
        continue; /* 1_1.pgm and 1_1.png: the first one found wins */
      g_array_append_val (list, impression);
      g_hash_table_insert (sensor->paths, g_memdup2 (&(guint64) { cache_key (finger, impression) },
                                                     sizeof (guint64)),
                           g_build_filename (sensor->dir, name, NULL));
      first_finger = MIN (first_finger, finger);
      n++;
    }
  if (n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s holds no images named FINGER_IMPRESSION.pgm or .png", sensor->dir);
      return FALSE;
    }
  g_hash_table_iter_init (&iter, sensor->files);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_array_sort (value, uint_cmp);

  /* the sensor's nominal size is the size of the first image */
  {
    GArray *list = g_hash_table_lookup (sensor->files, GUINT_TO_POINTER (first_finger));
    const char *path = g_hash_table_lookup (sensor->paths,
                                            &(guint64) { cache_key (first_finger,
                                                                    g_array_index (list, guint,
                                                                                   0)) });
    guint w = 0, h = 0;
    g_autoptr (GBytes) pixels = ridge_image_load (path, &w, &h, error);

    if (pixels == NULL)
      return FALSE;
    if (w < RIDGE_IMAGE_MIN_SIDE || h < RIDGE_IMAGE_MIN_SIDE || w > RIDGE_IMAGE_MAX_SIDE
        || h > RIDGE_IMAGE_MAX_SIDE)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "%s: %u×%u is not a usable sensor size", path, w, h);
        return FALSE;
      }
    sensor->width = w;
    sensor->height = h;
  }
  g_message ("Images sensor: %u images of %u fingers in %s, %d×%d", n,
             g_hash_table_size (sensor->files), sensor->dir, sensor->width, sensor->height);
  return TRUE;
}

static RidgeImage *
images_load (RidgeSensor *sensor,
             guint        finger,
             guint        impression,
             GError     **error)
{
  const char *path = g_hash_table_lookup (sensor->paths,
                                          &(guint64) { cache_key (finger, impression) });
  g_autoptr (GBytes) pixels = NULL;
  guint w = 0, h = 0;
  RidgeImage *img;

  if (path == NULL)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_NOT_FOUND,
                   "There is no image of finger %u impression %u in %s", finger, impression,
                   sensor->dir);
      return NULL;
    }
  pixels = ridge_image_load (path, &w, &h, error);
  if (pixels == NULL)
    return NULL;
  if (w < RIDGE_IMAGE_MIN_SIDE || h < RIDGE_IMAGE_MIN_SIDE || w > RIDGE_IMAGE_MAX_SIDE
      || h > RIDGE_IMAGE_MAX_SIDE || w > G_MAXUINT16 || h > G_MAXUINT16)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_INVALID_ARG,
                   "%s: %u×%u is not a usable image size", path, w, h);
      return NULL;
    }
  img = image_new (w, h, 500);
  if (img == NULL)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_INTERNAL, "Out of memory");
      return NULL;
    }
  memcpy (img->pixels, g_bytes_get_data (pixels, NULL), (gsize)w * h);
  return img;
}

/* ---- synthetic ----------------------------------------------------------------------- */

static RidgeImage *
synth_render (int      width,
              int      height,
              int      dpi,
              guint    finger,
              guint    impression,
              GError **error)
{
  RidgeSynthParams params;
  RidgeImage *img = g_new0 (RidgeImage, 1);
  int n_truth = 0;
  int r;

  /* the generator's default impression variation (rotation, distortion, noise …);
   * all-zero parameters would render the master print every time */
  ridge_synth_params_init (&params);
  params.width = width;
  params.height = height;
  params.dpi = dpi;
  r = ridge_synth_impression (finger, impression, &params, img, NULL, 0, &n_truth);
  if (r != RIDGE_ENGINE_OK)
    {
      g_free (img);
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_INTERNAL,
                   "Could not render finger %u impression %u: %s", finger, impression,
                   ridge_engine_strerror (r));
      return NULL;
    }
  return img;
}

/* ---- common -------------------------------------------------------------------------- */

static void
cache_image_free (gpointer data)
{
  ridge_sensor_image_free (data);
}

RidgeSensor *
ridge_sensor_new (const char *spec,
                  int         width,
                  int         height,
                  GError    **error)
{
  g_autoptr (GError) local = NULL;
  RidgeSensor *sensor = g_new0 (RidgeSensor, 1);

  sensor->width = width;
  sensor->height = height;
  sensor->dpi = 500;
  sensor->noise_state = 0x9e3779b9u;
  sensor->next_impression = g_hash_table_new (NULL, NULL);
  sensor->cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, cache_image_free);
  sensor->files = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_array_unref);
  sensor->paths = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  if (g_strcmp0 (spec, "synthetic") == 0)
    {
      if (width < RIDGE_IMAGE_MIN_SIDE || height < RIDGE_IMAGE_MIN_SIDE
          || width > RIDGE_IMAGE_MAX_SIDE || height > RIDGE_IMAGE_MAX_SIDE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "--width and --height must be between %d and %d", RIDGE_IMAGE_MIN_SIDE,
                       RIDGE_IMAGE_MAX_SIDE);
          goto fail;
        }
      sensor->kind = RIDGE_SENSOR_SYNTHETIC;
      sensor->description = g_strdup_printf ("synthetic %d×%d", width, height);
    }
  else if (spec != NULL && g_str_has_prefix (spec, "images:"))
    {
      sensor->kind = RIDGE_SENSOR_IMAGES;
      sensor->dir = g_strdup (spec + strlen ("images:"));
      if (!images_scan (sensor, error))
        goto fail;
      sensor->description = g_strdup_printf ("images from %s", sensor->dir);
    }
  else if (g_strcmp0 (spec, "libfprint") == 0)
    {
#ifdef RIDGE_TERMINAL_HAVE_LIBFPRINT
      sensor->kind = RIDGE_SENSOR_LIBFPRINT;
      sensor->fprint = ridge_fprint_sensor_new (error);
      if (sensor->fprint == NULL)
        goto fail;
      sensor->description = g_strdup_printf ("libfprint: %s",
                                             ridge_fprint_sensor_name (sensor->fprint));
#else
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "This ridge-terminal was built without libfprint");
      goto fail;
#endif
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown sensor \"%s\": use synthetic, images:DIR or libfprint",
                   spec ? spec : "");
      goto fail;
    }
  return sensor;

fail:
  ridge_sensor_free (sensor);
  return NULL;
}

void
ridge_sensor_free (RidgeSensor *sensor)
{
  if (sensor == NULL)
    return;
#ifdef RIDGE_TERMINAL_HAVE_LIBFPRINT
  g_clear_pointer (&sensor->fprint, ridge_fprint_sensor_free);
#endif
  ridge_sensor_image_free (sensor->base);
  g_hash_table_unref (sensor->next_impression);
  g_hash_table_unref (sensor->cache);
  g_hash_table_unref (sensor->files);
  g_hash_table_unref (sensor->paths);
  g_free (sensor->dir);
  g_free (sensor->description);
  g_free (sensor);
}

RidgeWireSensorType
ridge_sensor_get_kind (RidgeSensor *sensor)
{
  return sensor->kind;
}

const char *
ridge_sensor_describe (RidgeSensor *sensor)
{
  return sensor->description;
}

void
ridge_sensor_get_size (RidgeSensor *sensor,
                       int         *width,
                       int         *height,
                       int         *dpi)
{
  *width = sensor->width;
  *height = sensor->height;
  *dpi = sensor->dpi;
}

static RidgeImage *
cached_impression (RidgeSensor *sensor,
                   guint        finger,
                   guint        impression,
                   GError     **error)
{
  guint64 key = cache_key (finger, impression);
  RidgeImage *img = g_hash_table_lookup (sensor->cache, &key);

  if (img != NULL)
    return img;
  if (sensor->kind == RIDGE_SENSOR_IMAGES)
    img = images_load (sensor, finger, impression, error);
  else
    img = synth_render (sensor->width, sensor->height, sensor->dpi, finger, impression, error);
  if (img == NULL)
    return NULL;
  /* rendering is expensive, memory is bounded: forget everything when full */
  if (g_hash_table_size (sensor->cache) >= SYNTH_CACHE_MAX)
    g_hash_table_remove_all (sensor->cache);
  g_hash_table_insert (sensor->cache, g_memdup2 (&key, sizeof key), img);
  return img;
}

static gboolean
choose_impression (RidgeSensor *sensor,
                   guint        finger,
                   int          impression,
                   guint       *chosen,
                   GError     **error)
{
  if (sensor->kind == RIDGE_SENSOR_LIBFPRINT)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_UNSUPPORTED,
                   "The libfprint sensor is driven by a real finger");
      return FALSE;
    }

  if (sensor->kind == RIDGE_SENSOR_IMAGES)
    {
      GArray *list = g_hash_table_lookup (sensor->files, GUINT_TO_POINTER (finger));
      if (list == NULL)
        {
          g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_NOT_FOUND,
                       "There are no images of finger %u in %s", finger, sensor->dir);
          return FALSE;
        }
      if (impression >= 0)
        *chosen = impression;
      else
        {
          guint turn = GPOINTER_TO_UINT (g_hash_table_lookup (sensor->next_impression,
                                                              GUINT_TO_POINTER (finger)));
          *chosen = g_array_index (list, guint, turn % list->len);
          g_hash_table_insert (sensor->next_impression, GUINT_TO_POINTER (finger),
                               GUINT_TO_POINTER ((turn + 1) % list->len));
        }
    }
  else
    {
      if (impression >= 0)
        *chosen = impression;
      else
        {
          guint turn = GPOINTER_TO_UINT (g_hash_table_lookup (sensor->next_impression,
                                                              GUINT_TO_POINTER (finger)));
          *chosen = turn;
          g_hash_table_insert (sensor->next_impression, GUINT_TO_POINTER (finger),
                               GUINT_TO_POINTER ((turn + 1) % 1000000u));
        }
    }
  return TRUE;
}

/* Puts the (cached or loaded) impression on the sensor. */
static gboolean
put_on (RidgeSensor *sensor,
        guint        finger,
        guint        chosen,
        GError     **error)
{
  RidgeImage *img = cached_impression (sensor, finger, chosen, error);

  if (img == NULL)
    return FALSE;
  img = image_copy (img);
  if (img == NULL)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_INTERNAL, "Out of memory");
      return FALSE;
    }
  ridge_sensor_image_free (sensor->base);
  sensor->base = img;
  sensor->present = TRUE;
  sensor->finger = finger;
  sensor->impression = chosen;
  sensor->placement_id++;
  g_debug ("Finger %u placed (impression %u)", finger, chosen);
  return TRUE;
}

gboolean
ridge_sensor_place (RidgeSensor *sensor,
                    guint        finger,
                    int          impression,
                    GError     **error)
{
  guint chosen = 0;

  return choose_impression (sensor, finger, impression, &chosen, error)
         && put_on (sensor, finger, chosen, error);
}

typedef struct {
  guint       finger;
  guint       impression;
  int         width;
  int         height;
  int         dpi;
  RidgeImage *img;      /* rendered in the worker thread */
} PlaceData;

static void
place_data_free (gpointer data)
{
  PlaceData *d = data;

  ridge_sensor_image_free (d->img);
  g_free (d);
}

static void
render_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PlaceData *d = task_data;
  GError *error = NULL;

  d->img = synth_render (d->width, d->height, d->dpi, d->finger, d->impression, &error);
  if (d->img == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
ridge_sensor_place_async (RidgeSensor        *sensor,
                          guint               finger,
                          int                 impression,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, callback, user_data);
  GError *error = NULL;
  PlaceData *d = g_new0 (PlaceData, 1);
  guint64 key;

  g_task_set_source_tag (task, ridge_sensor_place_async);
  g_task_set_task_data (task, d, place_data_free);
  if (!choose_impression (sensor, finger, impression, &d->impression, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  d->finger = finger;
  d->width = sensor->width;
  d->height = sensor->height;
  d->dpi = sensor->dpi;
  key = cache_key (finger, d->impression);
  /* rendering takes most of a second: never on the main loop */
  if (sensor->kind == RIDGE_SENSOR_SYNTHETIC && !g_hash_table_contains (sensor->cache, &key))
    g_task_run_in_thread (task, render_thread);
  else
    g_task_return_boolean (task, TRUE);
}

gboolean
ridge_sensor_place_finish (RidgeSensor  *sensor,
                           GAsyncResult *result,
                           GError      **error)
{
  PlaceData *d = g_task_get_task_data (G_TASK (result));
  guint64 key;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (d->img != NULL)
    {
      key = cache_key (d->finger, d->impression);
      if (g_hash_table_size (sensor->cache) >= SYNTH_CACHE_MAX)
        g_hash_table_remove_all (sensor->cache);
      g_hash_table_insert (sensor->cache, g_memdup2 (&key, sizeof key),
                           g_steal_pointer (&d->img));
    }
  return put_on (sensor, d->finger, d->impression, error);
}

void
ridge_sensor_lift (RidgeSensor *sensor)
{
  if (sensor->kind == RIDGE_SENSOR_LIBFPRINT)
    return;
  sensor->present = FALSE;
  g_clear_pointer (&sensor->base, ridge_sensor_image_free);
}

#ifdef RIDGE_TERMINAL_HAVE_LIBFPRINT
static void
fprint_poll (RidgeSensor *sensor)
{
  int w = 0, h = 0;
  guint32 id = 0;
  g_autoptr (GBytes) pixels = ridge_fprint_sensor_get_image (sensor->fprint, &w, &h, &id);

  if (pixels == NULL)
    {
      sensor->present = FALSE;
      g_clear_pointer (&sensor->base, ridge_sensor_image_free);
      return;
    }
  if (!sensor->present || id != sensor->fprint_capture_id)
    {
      RidgeImage *img = image_new (w, h, 500);

      if (img == NULL)
        return;
      memcpy (img->pixels, g_bytes_get_data (pixels, NULL), (gsize)w * h);
      ridge_sensor_image_free (sensor->base);
      sensor->base = img;
      sensor->present = TRUE;
      sensor->finger = 0;
      sensor->impression = id;
      sensor->fprint_capture_id = id;
      sensor->placement_id++;
      sensor->width = w;
      sensor->height = h;
    }
}
#endif

gboolean
ridge_sensor_finger_present (RidgeSensor *sensor)
{
#ifdef RIDGE_TERMINAL_HAVE_LIBFPRINT
  if (sensor->kind == RIDGE_SENSOR_LIBFPRINT)
    fprint_poll (sensor);
#endif
  return sensor->present;
}

void
ridge_sensor_get_placement (RidgeSensor *sensor,
                            guint       *finger,
                            guint       *impression,
                            guint32     *placement_id)
{
  if (finger)
    *finger = sensor->finger;
  if (impression)
    *impression = sensor->impression;
  if (placement_id)
    *placement_id = sensor->placement_id;
}

static inline guint32
xorshift32 (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

RidgeImage *
ridge_sensor_read (RidgeSensor             *sensor,
                   const RidgeSensorParams *params,
                   gboolean                *finger_present)
{
  gboolean simulated = sensor->kind == RIDGE_SENSOR_SYNTHETIC;
  gboolean neutral = params->gain == 100 && params->contrast == 100;
  RidgeImage *img;
  guint8 lut[256];
  gsize n;

  *finger_present = ridge_sensor_finger_present (sensor);
  if (sensor->present && sensor->base != NULL)
    img = image_copy (sensor->base);
  else
    {
      img = image_new (sensor->width, sensor->height, sensor->dpi);
      if (img != NULL)
        memset (img->pixels, BACKGROUND_LEVEL, (gsize)sensor->width * sensor->height);
    }
  if (img == NULL)
    return NULL;
  n = (gsize)img->width * img->height;

  /* contrast stretches around mid grey, gain darkens the ridges (a brighter
   * exposure with < 100) */
  if (!neutral)
    {
      for (int v = 0; v < 256; v++)
        {
          int c = 128 + (v - 128) * params->contrast / 100;
          c = CLAMP (c, 0, 255);
          c = 255 - (255 - c) * params->gain / 100;
          lut[v] = CLAMP (c, 0, 255);
        }
      for (gsize i = 0; i < n; i++)
        img->pixels[i] = lut[img->pixels[i]];
    }

  /* a live sensor never gives two identical frames: ±2 grey levels of noise */
  if (simulated)
    {
      for (gsize i = 0; i < n; i++)
        {
          int v = img->pixels[i] + (int)(xorshift32 (&sensor->noise_state) % 5) - 2;
          img->pixels[i] = CLAMP (v, 0, 255);
        }
    }
  return img;
}

RidgeImage *
ridge_sensor_test_impression (RidgeSensor *sensor)
{
  g_autoptr (GError) error = NULL;
  RidgeImage *img = NULL;

  if (sensor->kind == RIDGE_SENSOR_IMAGES)
    {
      GHashTableIter iter;
      gpointer key, value;
      guint best = G_MAXUINT;
      GArray *list = NULL;

      g_hash_table_iter_init (&iter, sensor->files);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (GPOINTER_TO_UINT (key) < best)
          {
            best = GPOINTER_TO_UINT (key);
            list = value;
          }
      if (list != NULL)
        img = cached_impression (sensor, best, g_array_index (list, guint, 0), &error);
    }
  else if (sensor->kind == RIDGE_SENSOR_SYNTHETIC)
    img = cached_impression (sensor, 1, 0, &error);

  if (img == NULL)
    {
      if (error != NULL)
        g_warning ("Self-test impression: %s", error->message);
      return NULL;
    }
  return image_copy (img);
}
