"""A fixed bank of random dilated kernels whose proportions of positive values feed the code
(``kernel_bank``)."""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn

from ._masking import length_mask
from .sequence_stats import EPS, sequence_moments

#: Each kernel spans 9 steps with weight -1, except three steps of weight 2 (all 84 choices of
#: three): the patterns of MiniRocket (Dempster et al., 2021), which sum to 0, so a kernel answers to
#: the shape of a series, not its level.
KERNEL_SIZE = 9
PATTERNS = tuple(itertools.combinations(range(KERNEL_SIZE), 3))

#: The kernels' outputs are compared with these quantiles of their own outputs on training series.
QUANTILES = (0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875)

#: Longer series are averaged over windows of consecutive steps down to at most this many steps first.
MAX_STEPS = 512

#: More features than this are first mixed into this many fixed random combinations (per reading).
MAX_CHANNELS = 8

#: With ``coarse``, the series are also read averaged over windows twice as long, and that reading's
#: features weigh this much in the principal start of the bank's map (:meth:`KernelBank.principal_weights`;
#: the windows and the weight were measured on the development suite: docs/defaults.md).
COARSE_WEIGHT = 0.25

#: Kernel outputs smaller than this in magnitude are read as 0. The kernels sum to 0, so an output is
#: exactly 0 in exact arithmetic where a kernel reads a constant stretch, or every real step of a short
#: centred series under one weight; in floats it is rounding noise of either sign, which another
#: batch size or runtime (ONNX) rounds differently, on either side of a bias set among such outputs.
ZERO_OUTPUT = 1e-5

# ZERO_OUTPUT as a comparison with float32 outputs rounds it, and the float32 just below it (constants
# here: an exported graph has no nextafter)
_ZERO_OUTPUT_32 = torch.tensor(ZERO_OUTPUT, dtype=torch.float32).item()
_BELOW_ZERO_OUTPUT_32 = torch.nextafter(torch.tensor(ZERO_OUTPUT, dtype=torch.float32),
                                        torch.tensor(0.0, dtype=torch.float32)).item()

#: Real steps of the training series whose kernel outputs set the biases, at most.
FIT_STEPS = 20_000

#: With ``length``, the last feature is the log of a series' real steps times this: the proportions
#: (0 to 1) leave a series' length out, and the map into the code starts at the principal directions
#: of the features as they are, where this weight gives the length its share (docs/defaults.md).
LENGTH_WEIGHT = 30.0


def dilations(n_steps: int) -> tuple[int, ...]:
    """Dilations 1, 2, 4, ... up to the largest whose kernel still spans at most ``n_steps`` steps."""
    return tuple(2**i for i in range(int(math.log2(max(n_steps - 1, KERNEL_SIZE - 1) / (KERNEL_SIZE - 1))) + 1))


def read_as_zero(outputs: torch.Tensor) -> torch.Tensor:
    """``outputs`` (float32) with those below :data:`ZERO_OUTPUT` in magnitude set to 0 (a copy)."""
    return outputs.masked_fill(outputs.abs() < _ZERO_OUTPUT_32, 0.0)


def levels_for_raw_outputs(bias: torch.Tensor) -> torch.Tensor:
    """Levels that the kernels' raw outputs exceed exactly where the outputs read as 0 below
    :data:`ZERO_OUTPUT` (:func:`read_as_zero`) exceed ``bias``, so the outputs need no pass of their own.

    Only a bias within :data:`ZERO_OUTPUT` of 0 tells an output read as 0 from the output itself:
    above such a bias lie, of the outputs read as 0, none when it is positive or 0 (the output must
    then be at least :data:`ZERO_OUTPUT`: above the float just below it) and all when it is negative
    (the output must then be above ``-ZERO_OUTPUT``). Every other bias stays, with the same outputs
    above it either way."""
    near_zero = bias.abs() < _ZERO_OUTPUT_32
    return torch.where(near_zero, torch.where(bias >= 0, _BELOW_ZERO_OUTPUT_32, -_ZERO_OUTPUT_32), bias)


def between_outputs(values: torch.Tensor) -> torch.Tensor:
    """Biases (rows, len(QUANTILES)) at the :data:`QUANTILES` of each row of ``values`` (rows, n), each
    set half-way between the output at that quantile and the next larger one, so that no output of the
    training series lies on a bias, where float rounding (of another batch's convolution) could put it
    on either side; a row without a larger output gets a bias 1 above it."""
    ordered = values.sort(dim=1).values
    n = ordered.shape[1]
    lower = ordered[:, [int(q * (n - 1)) for q in QUANTILES]]  # (rows, quantiles)
    above = torch.searchsorted(ordered, lower, right=True)  # the first output larger than each
    upper = ordered.gather(1, above.clamp_max(n - 1))
    return torch.where(above < n, (lower + upper) / 2, lower + 1)


#: :func:`count_true` adds up at most this many 8-byte words of booleans at a time: each byte of the
#: sum then counts at most 255 (one per word) and does not carry into the next byte.
WORDS_PER_SUM = 255


def count_true(above: torch.Tensor) -> torch.Tensor:
    """The number of True values along the last axis of the boolean ``above`` (..., T).

    The booleans' bytes are read in place, 8 at a time as one int64 word (zero bytes pad T to a
    multiple of 8): summing the words sums each of the 8 byte positions at once, as long as none
    exceeds 255 (:data:`WORDS_PER_SUM` words a sum), and the 8 bytes of the sum then add up to the
    count. This reads an eighth as many numbers as summing the bytes themselves, which was most of
    the bank's cost after the comparisons (docs/defaults.md); the counts are exact, in int16 where
    one sum holds them, else int32."""
    if torch.onnx.is_in_onnx_export():  # ONNX has neither reinterpreting views nor int16 sums
        return above.to(torch.int32).sum(-1, dtype=torch.int32)
    steps = above.contiguous().view(torch.uint8)
    if steps.shape[-1] % 8:
        steps = nn.functional.pad(steps, (0, -steps.shape[-1] % 8))
    words = steps.view(torch.int64)  # (..., T / 8)
    sums = [part.sum(-1, keepdim=True).view(torch.uint8).sum(-1, dtype=torch.int16)  # (...) each
            for part in words.split(WORDS_PER_SUM, dim=-1)]
    return sums[0] if len(sums) == 1 else torch.stack(sums, -1).sum(-1, dtype=torch.int32)


def counts_above(outputs: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
    """The number of steps where each row of ``outputs`` (..., K, T) exceeds each of its ``levels``
    (K, Q): (..., K, Q), by :func:`count_true`.

    The comparisons are written one level at a time into one boolean buffer whose steps run on to a
    whole number of 8-byte words, the rest False, so that :func:`count_true` reads them where they lie
    instead of a padded copy of each level's comparisons."""
    if torch.onnx.is_in_onnx_export():  # an exported graph writes no views: count_true reads each level's own
        return torch.stack([count_true(torch.gt(outputs, level.unsqueeze(-1))) for level in levels.unbind(1)], -1)
    n_steps = outputs.shape[-1]
    above = torch.zeros((*outputs.shape[:-1], -(-n_steps // 8) * 8), dtype=torch.bool, device=outputs.device)
    counts = []
    for level in levels.unbind(1):
        torch.gt(outputs, level.unsqueeze(-1), out=above[..., :n_steps])
        counts.append(count_true(above))
    return torch.stack(counts, -1)


class KernelBank(nn.Module):
    """Fixed random kernels at every scale, read as the proportion of steps where each exceeds biases
    learned from the training series.

    The globally standardised values (as the encoder reads them: a series' amplitude, set against
    the training series', is part of what the bank reads) and, with ``per_sequence``, the same values
    standardised by each series' own mean and scale beside them (the shape of a faint series at full
    resolution) are averaged down to at most :data:`MAX_STEPS` steps and convolved with the
    :data:`PATTERNS` kernels at every dilation of :func:`dilations`, channel by channel (more than
    :data:`MAX_CHANNELS` features are first mixed into that many random combinations, the same for
    both readings); with ``coarse``, the same values averaged over windows twice as long are
    convolved too, at the dilations that span them. Each output is compared with the biases
    :meth:`fit` sets (the :data:`QUANTILES` of that kernel's outputs over training series:
    :func:`between_outputs`; outputs below :data:`ZERO_OUTPUT` read as 0), and the proportion of
    real steps above each bias is a feature (MiniRocket's PPV); with ``length``, the log of the
    series' real steps (times :data:`LENGTH_WEIGHT`) is one more. The features are standardised by
    their means and scales over the training series. Nothing here is trained by gradients. Padded
    steps are left out of everything, so a sequence's features do not depend on its batch.

    Parameters
    ----------
    n_features : int
        Features per input step.
    n_steps : int
        Steps of the longest training series: the scales follow it.
    per_sequence : bool, default=False
        Also read each series standardised by itself (twice the channels and features).
    length : bool, default=False
        The log of each series' length is a last feature (for training series of different lengths:
        of one length, it would be the same for every training series).
    coarse : bool, default=False
        Also read the series averaged over windows twice as long (its features after the first
        reading's, before the length).

    Attributes
    ----------
    pool : int
        The first reading's window: steps averaged into one (1: none).
    readings : tuple of (int, tuple of int)
        Each reading's window and the dilations its kernels read at.
    dilations : tuple of int
        Every reading's dilations in turn: the features' order (one block of kernels and
        :data:`QUANTILES` per entry).
    """

    def __init__(self, n_features: int, n_steps: int, per_sequence: bool = False, length: bool = False,
                 coarse: bool = False) -> None:
        super().__init__()
        self.pool = -(-n_steps // MAX_STEPS)
        windows = (self.pool, 2 * self.pool) if coarse else (self.pool,)
        self.readings = tuple((window, dilations(-(-n_steps // window))) for window in windows)
        self.dilations = tuple(d for _, reading in self.readings for d in reading)
        self.per_sequence = per_sequence
        n_mixed = min(n_features, MAX_CHANNELS)
        self.n_channels = n_mixed * (2 if per_sequence else 1)
        weight = -torch.ones(len(PATTERNS), 1, KERNEL_SIZE)
        for kernel, steps in enumerate(PATTERNS):
            weight[kernel, 0, list(steps)] = 2.0
        self.register_buffer("weight", weight.repeat(self.n_channels, 1, 1))  # one set per channel
        mixing = torch.eye(n_features) if n_features <= MAX_CHANNELS else torch.zeros(n_features, n_mixed)
        self.register_buffer("mixing", mixing)
        n_kernels = len(PATTERNS) * self.n_channels
        self.register_buffer("bias", torch.zeros(len(self.dilations), n_kernels, len(QUANTILES)))
        self.length = length
        self.output_size = len(self.dilations) * n_kernels * len(QUANTILES) + int(length)
        self.register_buffer("feature_mean", torch.zeros(self.output_size))
        self.register_buffer("feature_scale", torch.ones(self.output_size))

    def _outputs(self, x: torch.Tensor, lengths: torch.Tensor) -> list[tuple[list[torch.Tensor], torch.Tensor]]:
        """For each of :attr:`readings`: its dilations' kernel outputs (B, kernels, T'; as convolved:
        the biases are compared with them through :func:`levels_for_raw_outputs`) and its real steps
        (B, 1, T'), T' the steps after that reading's averaging."""
        if x.dim() == 4:  # split into frames, as exported graphs give it
            x = x.flatten(1, 2)
        real = length_mask(lengths.to(x.device), x.shape[1]).unsqueeze(-1)
        z = torch.where(real, x, torch.zeros((), dtype=x.dtype, device=x.device))  # padded steps: zero
        if self.per_sequence:  # each series by itself beside the global reading
            _, _, centred, scale = sequence_moments(x, lengths)
            z = torch.cat([z @ self.mixing, (centred / (scale + EPS)) @ self.mixing], dim=-1)
        else:
            z = z @ self.mixing
        steps, real = z.transpose(1, 2), real.transpose(1, 2).to(z.dtype)
        readings = []
        for window, reading in self.readings:
            z, mask = steps, real
            if window > 1:  # masked means over windows (the average pool's divisor cancels)
                total = nn.functional.avg_pool1d(z, window, ceil_mode=True)
                count = nn.functional.avg_pool1d(mask, window, ceil_mode=True)
                z, mask = total / count.clamp_min(1e-12), (count > 0).to(z.dtype)
            outputs = [nn.functional.conv1d(z, self.weight, dilation=d, padding=d * (KERNEL_SIZE // 2),
                                            groups=self.n_channels) for d in reading]
            readings.append((outputs, mask))
        return readings

    def proportions(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The proportions of real steps where each kernel exceeds each bias, and with :attr:`length` the
        weighted log of the series' real steps last, (B, output_size): the features before
        standardisation."""
        return self._proportions_of(self._outputs(x, lengths), lengths)

    def _proportions_of(self, readings: list[tuple[list[torch.Tensor], torch.Tensor]], lengths: torch.Tensor
                        ) -> torch.Tensor:
        """:meth:`proportions` of the kernel outputs and real steps of each reading (:meth:`_outputs`), of
        series of ``lengths`` real steps. Overwrites the outputs' padded steps (with -inf, in place:
        the callers do not read them again)."""
        features = []
        for (outputs, mask), biases in zip(readings, self._biases_by_reading()):
            padded, n_real = mask == 0, mask.sum(-1).clamp_min(1)
            any_padded = torch.onnx.is_in_onnx_export() or bool(padded.any())  # a graph reads any batch
            for output, bias in zip(outputs, biases):
                if any_padded:
                    output = output.masked_fill_(padded, float("-inf"))
                counts = counts_above(output, levels_for_raw_outputs(bias))
                features.append(counts.flatten(1).to(mask.dtype) / n_real)
        proportions = torch.cat(features, 1)
        if not self.length:
            return proportions
        steps = lengths.to(device=proportions.device, dtype=proportions.dtype).clamp_min(1).unsqueeze(1)
        return torch.cat([proportions, LENGTH_WEIGHT * torch.log(steps)], 1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Standardised features (B, output_size) of ``x`` (B, T, F), globally standardised values
        (or (B, n_frames, frame_length, F)), whose real steps are ``lengths``."""
        return self.standardized(self.proportions(x, lengths))

    def _biases_by_reading(self) -> tuple[torch.Tensor, ...]:
        """:attr:`bias` split by reading: one (dilations, kernels, quantiles) view per reading."""
        return self.bias.split([len(reading) for _, reading in self.readings])

    def principal_weights(self) -> torch.Tensor:
        """Each feature's weight (output_size,) in the principal directions the bank's map starts at
        (``Seq2SeqModule.fit_kernel_bank``): :data:`COARSE_WEIGHT` for the coarse reading's features,
        1 for the others."""
        weights = torch.ones(self.output_size, device=self.bias.device)
        per_dilation = self.bias.shape[1] * self.bias.shape[2]
        if len(self.readings) > 1:
            weights[len(self.readings[0][1]) * per_dilation: len(self.dilations) * per_dilation] = COARSE_WEIGHT
        return weights

    def standardized(self, proportions: torch.Tensor) -> torch.Tensor:
        """:meth:`proportions` (B, output_size) standardised by the training series' means and scales."""
        return (proportions - self.feature_mean) / self.feature_scale

    @torch.no_grad()
    def fit(self, x: torch.Tensor, lengths: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Set the mixing, the biases and the features' standardisation from training series ``x``
        (B, T, F), globally standardised, of ``lengths`` steps; ``generator`` (on the CPU) draws the
        mixing and the steps the biases read. Returns those series' :meth:`proportions` (B, output_size)
        with the fitted biases (from the kernel outputs the biases were set from: each series is
        convolved once)."""
        if self.mixing.shape[0] > MAX_CHANNELS:
            mixing = torch.randn(self.mixing.shape, generator=generator) / math.sqrt(self.mixing.shape[0])
            self.mixing.copy_(mixing)
        readings = self._outputs(x, lengths)
        for (outputs, mask), biases in zip(readings, self._biases_by_reading()):
            steps = torch.nonzero((mask[:, 0] > 0).flatten()).squeeze(1)  # this reading's real steps, sampled
            steps = steps[torch.randperm(len(steps), generator=generator)[:FIT_STEPS].to(steps.device)]
            for output, bias in zip(outputs, biases):
                values = output.transpose(0, 1).flatten(1)[:, steps]  # (kernels, sampled real steps)
                bias.copy_(between_outputs(read_as_zero(values)))
        features = self._proportions_of(readings, lengths)
        self.feature_mean.copy_(features.mean(0))
        self.feature_scale.copy_(features.std(0, correction=0).clamp_min(1e-2))
        return features
