/**
 * Series colours. Base runs use the light tint of the head's colour, so an overlaid pair reads as
 * before and after. Every colour is opaque, so the browser test can find each series' pixels.
 */
export const AUTH_COLORS = {
  tls: { head: '#1f77b4', base: '#9ecae1' },
  mtls: { head: '#d62728', base: '#f4a582' },
} as const;

/** One colour per metric of an overhead chart, in `WORKLOAD_METRICS` order (Tableau 10). */
export const METRIC_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#9c755f'] as const;

export const CPU_COLORS = {
  server: '#1f77b4',
  serverFloor: '#aec7e8',
  client: '#ff7f0e',
  clientFloor: '#ffbb78',
} as const;
