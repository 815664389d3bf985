// The founding study's figures (a 2017 laptop; ms per 10000 sequential single-sample predictions, averaged
// over 5 loops), printed beside this machine's rows for comparison. They were not measured here.

export interface StudyRow {
  readonly model: 'beginner' | 'expert';
  readonly label: string;
  /** ms per 10000; null where the study has no figure ("-"). */
  readonly ms: number | null;
}

const COLUMNS = ['Keras predict', 'Keras K.function', 'Keras in TF', 'TensorFlow'] as const;

function rows(model: 'beginner' | 'expert', where: string, ms: readonly (number | null)[]): StudyRow[] {
  return COLUMNS.map((c, i) => ({ model, label: `2017 ${where}: ${c}`, ms: ms[i] }));
}

export const STUDY_2017: readonly StudyRow[] = [
  ...rows('beginner', 'Python', [3787, 3242, 2711, 2588]),
  ...rows('beginner', 'C++ frozen graph', [578, null, 577, 576]),
  ...rows('expert', 'Python', [9693, 9087, 8571, 8124]),
  ...rows('expert', 'C++ frozen graph', [5528, null, 5530, 5512]),
];

/**
 * onnxruntime-node, 1 thread, p50 µs per call, measured earlier on this machine by a colleague: a sanity
 * check for this run's ORT row (a large gap means the machine was busy or the setup differs).
 */
export const ORT_1T_P50_EARLIER_US: Readonly<Record<string, number>> = { beginner: 9.9, expert: 82, 'deep-mnist': 577 };
