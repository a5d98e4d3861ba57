/* ridge-engine.h — the Ridge fingerprint engine, public API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure C11 with libm: no GLib, no I/O, no global state, bounded memory (every
 * allocation is proportional to the image, whose size is capped). The same code runs
 * in the desktop app, ridge-terminal and ridge-server, and could run on a terminal.
 *
 * Conventions
 *  - Images are 8-bit grey, row-major, stride = width, dark ridges on a light
 *    background, 500 dpi unless said otherwise.
 *  - Coordinates in pixels, origin top-left, y down.
 *  - Minutia angle: radians in [0, 2π), ISO/IEC 19794-2 convention: counter-clockwise
 *    from the +x axis as seen on screen (so a vector (cos a, -sin a) in image
 *    coordinates), pointing along the ridge away from the minutia for an ending, and
 *    along the valley (the two ridges' bisector, away from the fork) for a bifurcation.
 *  - Functions return RIDGE_ENGINE_OK (0) or a negative RidgeEngineResult.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RIDGE_ENGINE_VERSION      "ridge-engine 0.1"
#define RIDGE_IMAGE_MIN_SIDE      32
#define RIDGE_IMAGE_MAX_SIDE      2048
#define RIDGE_MAX_MINUTIAE        255

typedef enum {
  RIDGE_ENGINE_OK           = 0,
  RIDGE_ENGINE_E_INVALID    = -1,  /* NULL or inconsistent arguments */
  RIDGE_ENGINE_E_SIZE       = -2,  /* image smaller than MIN_SIDE or larger than MAX_SIDE */
  RIDGE_ENGINE_E_NOMEM      = -3,
  RIDGE_ENGINE_E_NO_PRINT   = -4,  /* no fingerprint area found (blank, dark, noise) */
  RIDGE_ENGINE_E_FORMAT     = -5,  /* a serialized template is malformed */
  RIDGE_ENGINE_E_NOSPACE    = -6,  /* output buffer too small */
} RidgeEngineResult;

const char *ridge_engine_strerror (int result);

typedef struct {
  int      width;
  int      height;
  int      dpi;
  uint8_t *pixels;             /* width * height bytes */
} RidgeImage;

/* Allocates pixels (zeroed); free with ridge_image_clear(). */
int  ridge_image_init (RidgeImage *img, int width, int height, int dpi);
void ridge_image_clear (RidgeImage *img);

typedef enum {
  RIDGE_MINUTIA_OTHER       = 0,
  RIDGE_MINUTIA_ENDING      = 1,
  RIDGE_MINUTIA_BIFURCATION = 2,
} RidgeMinutiaType;

typedef struct {
  float   x;
  float   y;
  float   angle;               /* radians, see conventions */
  uint8_t type;                /* RidgeMinutiaType */
  uint8_t quality;             /* 0..100 */
} RidgeMinutia;

/* ---- Synthetic fingerprints (SFinGe-style) ------------------------------------------ */

typedef enum {
  RIDGE_CLASS_ARCH = 0,
  RIDGE_CLASS_TENTED_ARCH,
  RIDGE_CLASS_LEFT_LOOP,
  RIDGE_CLASS_RIGHT_LOOP,
  RIDGE_CLASS_WHORL,
} RidgePatternClass;

typedef struct {
  int width;                   /* image size; default 400 x 400 when 0 */
  int height;
  int dpi;                     /* 500 when 0 */
  /* impression variation, each 0..1 (0 = the master print as it is) */
  float noise;
  float distortion;
  float dryness;               /* 0 normal; >0 dry (broken ridges); <0 wet (merged) */
  float partial;               /* share of the print that may be cut off */
} RidgeSynthParams;

/* Renders impression number `impression` of the finger identified by `finger_seed`.
 * Deterministic: the same arguments give the same bytes on every platform.
 * Impression 0 is the cleanest. truth receives up to truth_cap ground-truth minutiae
 * visible in this impression (in this impression's coordinates); *n_truth their count.
 * params may be NULL (defaults). img must be cleared by the caller. */
int ridge_synth_impression (uint32_t finger_seed, uint32_t impression,
                            const RidgeSynthParams *params, RidgeImage *img,
                            RidgeMinutia *truth, int truth_cap, int *n_truth);

/* The pattern class the generator chooses for finger_seed. */
RidgePatternClass ridge_synth_class (uint32_t finger_seed);

/* Fills params with the defaults that params == NULL stands for: 400 x 400, 500 dpi,
 * noise 0.35, distortion 1 (rotation up to ±20°, translation, elastic distortion),
 * dryness 0, partial 0.25. Start from these and change what you need: all-zero params
 * render the master print itself, the same image for every impression. */
void ridge_synth_params_init (RidgeSynthParams *params);

/* ---- Extraction --------------------------------------------------------------------- */

typedef enum {
  RIDGE_MAP_FOREGROUND = 0,    /* u8 per block: 0 background, 255 foreground */
  RIDGE_MAP_ORIENTATION,       /* float per block: ridge orientation, radians [0, π),
                                * counter-clockwise on screen like minutia angles */
  RIDGE_MAP_RELIABILITY,       /* float per block: orientation coherence 0..1 */
  RIDGE_MAP_FREQUENCY,         /* float per block: ridges per pixel, 0 = unknown */
  RIDGE_MAP_QUALITY,           /* u8 per block: 0..100 */
  RIDGE_MAP_ENHANCED,          /* u8 per pixel: ridges dark, 255 outside the print */
  RIDGE_MAP_BINARY,            /* u8 per pixel: 255 ridge, 0 valley */
  RIDGE_MAP_SKELETON,          /* u8 per pixel: 255 ridge skeleton */
  RIDGE_N_MAPS
} RidgeMapKind;

typedef struct {
  RidgeMapKind kind;
  int          width;          /* in blocks or pixels, see block_size */
  int          height;
  int          block_size;     /* pixels per map cell side (1 for per-pixel maps) */
  int          is_float;       /* data is float[] if set, else uint8_t[] */
  const void  *data;
} RidgeMap;

typedef enum {
  RIDGE_HINT_NONE          = 0,
  RIDGE_HINT_MOVE_LEFT     = 1u << 0,  /* finger sits too far right */
  RIDGE_HINT_MOVE_RIGHT    = 1u << 1,
  RIDGE_HINT_MOVE_UP       = 1u << 2,
  RIDGE_HINT_MOVE_DOWN     = 1u << 3,
  RIDGE_HINT_TOO_SMALL     = 1u << 4,  /* too little area: press flatter */
  RIDGE_HINT_TOO_DARK      = 1u << 5,  /* too wet or pressed too hard */
  RIDGE_HINT_TOO_LIGHT     = 1u << 6,  /* too dry or pressed too lightly */
  RIDGE_HINT_SMUDGED       = 1u << 7,  /* low ridge clarity: moved or smeared */
} RidgePlacementHint;

typedef struct RidgeFeatures RidgeFeatures;   /* opaque; owns its maps and minutiae */

typedef struct {
  int keep_maps;               /* keep every intermediate map (the app shows them) */
} RidgeExtractOptions;

/* Extracts features. options may be NULL (maps not kept beyond what quality needs).
 * On success *out is set; free with ridge_features_free(). */
int  ridge_extract (const RidgeImage *img, const RidgeExtractOptions *options,
                    RidgeFeatures **out);
void ridge_features_free (RidgeFeatures *f);

int                 ridge_features_n_minutiae (const RidgeFeatures *f);
const RidgeMinutia *ridge_features_minutiae (const RidgeFeatures *f);
int                 ridge_features_quality (const RidgeFeatures *f);  /* 0..100 */
unsigned            ridge_features_hints (const RidgeFeatures *f);    /* RidgePlacementHint bits */
/* Returns RIDGE_ENGINE_OK and fills *map, or RIDGE_ENGINE_E_INVALID if not kept. */
int                 ridge_features_map (const RidgeFeatures *f, RidgeMapKind kind, RidgeMap *map);

/* A human sentence for one hint bit ("Move the finger left"). */
const char *ridge_hint_text (unsigned hint);

/* ---- Templates and matching -------------------------------------------------------- */

typedef struct {
  uint16_t     width;
  uint16_t     height;
  uint16_t     dpi;
  uint8_t      quality;
  uint16_t     n_minutiae;
  RidgeMinutia minutiae[RIDGE_MAX_MINUTIAE];
} RidgeTemplate;

int ridge_template_from_features (const RidgeFeatures *f, int width, int height, int dpi,
                                  RidgeTemplate *out);

/* Native serialized form (documented in docs/engine.md): versioned, little-endian. */
#define RIDGE_TEMPLATE_MAX_BYTES (16 + RIDGE_MAX_MINUTIAE * 8)
int ridge_template_serialize (const RidgeTemplate *t, uint8_t *buf, size_t cap, size_t *len);
int ridge_template_deserialize (const uint8_t *buf, size_t len, RidgeTemplate *out);

typedef struct {
  uint16_t probe;              /* index into the probe template's minutiae */
  uint16_t gallery;            /* index into the gallery template's minutiae */
} RidgeMinutiaPair;

typedef struct {
  int              score;      /* similarity ≥ 0; higher = more similar */
  int              n_pairs;
  RidgeMinutiaPair pairs[RIDGE_MAX_MINUTIAE];
  float            dx, dy, rotation;  /* transform probe → gallery */
} RidgeMatchResult;

/* Decision threshold for 1:1 verification (FMR ≤ 0.1 % on FVC2002 DB1_B; docs/engine.md). */
#define RIDGE_MATCH_THRESHOLD 120

/* result may be NULL when only the score is wanted. Returns the score (≥ 0) or < 0 on error. */
int ridge_match (const RidgeTemplate *probe, const RidgeTemplate *gallery,
                 RidgeMatchResult *result);

/* A template prepared once for many comparisons (its neighbour edges and search index,
* a few kB): a terminal prepares its enrolled templates when it loads them, and each probe
* once per capture. ridge_match_prepared gives exactly the score, pairs and transform of
* ridge_match on the same templates, without the preparation (more than half of its time;
* docs/engine.md has the figures). The prepared form does not refer to t afterwards. */
typedef struct RidgePreparedTemplate RidgePreparedTemplate;

int    ridge_prepared_template_new (const RidgeTemplate *t, RidgePreparedTemplate **out);
void   ridge_prepared_template_free (RidgePreparedTemplate *prepared);
size_t ridge_prepared_template_size (const RidgePreparedTemplate *prepared);
/* Returns the score (≥ 0) or < 0 on error; result may be NULL. */
int    ridge_match_prepared (const RidgePreparedTemplate *probe,
                             const RidgePreparedTemplate *gallery, RidgeMatchResult *result);

/* Multi-sample enrollment: up to RIDGE_ENROLL_MAX_SAMPLES impressions of one finger. */
#define RIDGE_ENROLL_MAX_SAMPLES 8
typedef struct {
  int           n_samples;
  RidgeTemplate samples[RIDGE_ENROLL_MAX_SAMPLES];
} RidgeEnrollTemplate;

/* Score of a probe against an enrollment (best over its samples, or a fused score;
 * docs/engine.md says which and why). best_sample may be NULL. */
int ridge_match_enrolled (const RidgeTemplate *probe, const RidgeEnrollTemplate *enrolled,
                          RidgeMatchResult *result, int *best_sample);

#define RIDGE_ENROLL_MAX_BYTES (8 + RIDGE_ENROLL_MAX_SAMPLES * RIDGE_TEMPLATE_MAX_BYTES)
int ridge_enroll_serialize (const RidgeEnrollTemplate *t, uint8_t *buf, size_t cap, size_t *len);
int ridge_enroll_deserialize (const uint8_t *buf, size_t len, RidgeEnrollTemplate *out);

/* ---- 1:N identification (duplicate checks) ------------------------------------------ */

typedef struct {
  size_t index;                /* into the gallery */
  int    score;
} RidgeIdentifyHit;

/* A gallery prepared once for many searches (holds every template's matching
 * structures: a few kB per template). */
typedef struct RidgeMatchIndex RidgeMatchIndex;

#define RIDGE_IDENTIFY_MAX_GALLERY 10000000

int  ridge_match_index_new (const RidgeTemplate *gallery, size_t n_gallery,
                            RidgeMatchIndex **out);
void ridge_match_index_free (RidgeMatchIndex *index);
size_t ridge_match_index_size (const RidgeMatchIndex *index);

/* Every gallery template whose score against probe is ≥ threshold, best first (ties by
 * index), at most max_hits of them: the full comparison against every template, without
 * the per-call preparation ridge_match does (docs/engine.md gives the figures and why no
 * lossy pre-filter is used). Returns the number of hits written or < 0. */
int ridge_match_index_identify (const RidgeMatchIndex *index, const RidgeTemplate *probe,
                                int threshold, RidgeIdentifyHit *hits, int max_hits);

/* The same over a plain array (prepares the gallery on the fly: slower per call). */
int ridge_identify (const RidgeTemplate *probe, const RidgeTemplate *gallery, size_t n_gallery,
                    int threshold, RidgeIdentifyHit *hits, int max_hits);

#ifdef __cplusplus
}
#endif
