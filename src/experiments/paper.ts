// The paper's macro results, for putting ours beside them. These are the
// validation, never an input: no mechanism reads them. Figures 6 and 7 are
// readings of the published plots (to about +-500-1000 cycles); Figure 3's
// are what the text states; the text gives no numbers for Figure 8.
//
// Source: A. Baumann et al., "The Multikernel: A New OS Architecture for
// Scalable Multicore Systems", SOSP 2009, section 5.

export interface PaperPoint {
  series: string;
  cores: number;
  cycles: number;
  /** "figure": read off the plot; "text": stated in the text. */
  from: "figure" | "text";
}

export const PAPER_POINTS: Record<string, { machine: string; points: PaperPoint[]; note: string }> = {
  shootdown: {
    machine: "amd-8x4",
    note: "Figure 6, read off the plot",
    points: [
      { series: "numa-multicast", cores: 2, cycles: 1300, from: "figure" },
      { series: "broadcast", cores: 32, cycles: 13800, from: "figure" },
      { series: "unicast", cores: 32, cycles: 12700, from: "figure" },
      { series: "multicast", cores: 32, cycles: 4800, from: "figure" },
      { series: "numa-multicast", cores: 32, cycles: 3100, from: "figure" },
    ],
  },
  unmap: {
    machine: "amd-8x4",
    note: "Figure 7, read off the plot; the 2-core points calibrate the per-operation constants of Barrelfish's dispatch loop, Linux and Windows",
    points: [
      { series: "barrelfish", cores: 2, cycles: 10300, from: "figure" },
      { series: "linux", cores: 2, cycles: 5200, from: "figure" },
      { series: "windows", cores: 2, cycles: 5800, from: "figure" },
      { series: "barrelfish", cores: 32, cycles: 17500, from: "figure" },
      { series: "linux", cores: 32, cycles: 29500, from: "figure" },
      { series: "windows", cores: 32, cycles: 46000, from: "figure" },
    ],
  },
  "shared-update": {
    machine: "amd-4x4",
    note: 'Figure 3; the text: "when 16 cores are modifying the same data it takes almost 12,000 extra cycles to perform each update"',
    points: [{ series: "SHM8", cores: 16, cycles: 12000, from: "text" }],
  },
  twopc: {
    machine: "amd-8x4",
    note: "Figure 8: the text gives no numbers; it says 2PC serialises more messages than shootdown, scales well over the same multicast, and pipelining cuts the cost per operation",
    points: [],
  },
};
