package io.spindle.nn;

import static io.spindle.nn.ConfigCodec.Field.optional;
import static io.spindle.nn.ConfigCodec.Field.required;

import io.spindle.autograd.Parameters;
import io.spindle.data.BadInputException;
import io.spindle.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The files of a {@link Gpt} in the layout the ecosystem uses: {@code config.json} with nanoGPT's {@code GPTConfig}
 * names ({@code block_size}, {@code vocab_size}, {@code n_layer}, {@code n_head}, {@code n_embd}, {@code dropout},
 * {@code bias}) plus {@code model_type} {@code "gpt"}, and {@code model.safetensors} with nanoGPT's
 * {@code state_dict()} keys and PyTorch layouts, the tied {@code lm_head.weight} written under its own key too.
 *
 * <p>Reading accepts what nanoGPT and the {@code safetensors} library produce: a config without {@code model_type}
 * (nanoGPT writes none; {@code dropout} defaults to 0, {@code bias} to true); both tied keys
 * ({@code transformer.wte.weight} and {@code lm_head.weight}, which must then be equal) or only one of them; and
 * older nanoGPT's causal-mask buffers ({@code *.attn.bias} of shape (1, 1, T, T)), which are ignored. Anything else
 * missing, extra or misshapen is an error naming the tensor.
 *
 * <p>The tokenizer must have exactly {@code vocab_size} tokens ({@link #generates}): nanoGPT pads its vocabularies
 * (50257 to 50304, say), so give such a model a tokenizer of the padded size.
 *
 * <p>What the weights cannot reveal: {@code n_head} changes no tensor's shape ({@code c_attn} is (3C, C) however C is
 * split into heads), so a folder whose {@code n_head} was changed after training, to another divisor of
 * {@code n_embd}, loads without error and computes another function than the one trained: its scores and samples
 * are wrong. {@code dropout} only matters for further training. Every other field ({@code vocab_size},
 * {@code block_size}, {@code n_layer}, {@code n_embd}, {@code bias}) is checked against the tensors' names and
 * shapes.
 */
public enum GptFormat implements ModelFormat<GptConfig, Gpt> {
  INSTANCE;

  public static final String MODEL_TYPE = "gpt";
  private static final String WTE = "transformer.wte.weight";
  private static final String LM_HEAD = "lm_head.weight";

  private static final ModelFamily<GptConfig, Gpt> FAMILY = new ModelFamily<>(
      new ConfigCodec<>(GptConfig.class, MODEL_TYPE, true,
          required("block_size", "blockSize"), required("vocab_size", "vocabSize"), required("n_layer", "numLayers"),
          required("n_head", "numHeads"), required("n_embd", "embedDim"), optional("dropout", "dropout", 0.0),
          optional("bias", "bias", true)),
      Gpt::declare, Gpt::of, c -> new int[] {c.vocabSize(), c.vocabSize()}, true);

  @Override
  public ModelFamily<GptConfig, Gpt> family() {
    return FAMILY;
  }

  /** Every parameter under its nanoGPT name, and the tied {@code lm_head.weight} too, as nanoGPT's state_dict has it. */
  @Override
  public void writeWeights(GptConfig config, Parameters weights, OutputStream out) throws IOException {
    Map<String, Tensor> tensors = ConfigJson.views(weights);
    tensors.put(LM_HEAD, weights.get(WTE).value());
    SafeTensors.write(tensors, Map.of("format", "pt"), out);
  }

  /**
   * Accepts what the class comment says. The header is read twice (once to see which keys the file has), which the
   * stream's mark and reset make possible without a second open.
   */
  @Override
  public Parameters readWeights(GptConfig config, InputStream in, long length, Object source) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in);
    buffered.mark(Integer.MAX_VALUE); // grows only as far as the header, which readHeader bounds
    SafeTensorsHeader header;
    try {
      header = SafeTensors.readHeader(buffered, length);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(source + ": " + e.getMessage(), e);
    }
    buffered.reset();
    buffered.mark(0); // from here on the buffer may drop what was read, rather than keep the whole file
    Parameters p = Gpt.declare(config).build();
    Map<String, Tensor> into = ConfigJson.views(p);
    Tensor lmHead = null;
    if (header.names().contains(LM_HEAD)) {
      if (header.names().contains(WTE)) {
        lmHead = Tensor.zeros(config.vocabSize(), config.embedDim());
        into.put(LM_HEAD, lmHead);
      } else {
        into.put(LM_HEAD, into.remove(WTE));
      }
    }
    for (String name : header.names()) {
      SafeTensorsHeader.Entry e = header.entry(name);
      if (name.endsWith(".attn.bias") && e.shape().length == 4) {
        into.put(name, Tensor.zeros(e.shape())); // nanoGPT's causal-mask buffer: read and dropped
      }
    }
    try {
      SafeTensors.readInto(buffered, length, into);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(source + ": " + e.getMessage(), e);
    }
    if (lmHead != null) {
      Tensor wte = p.get(WTE).value();
      for (int i = 0; i < wte.size(); i++) {
        if (Float.compare(wte.get(i), lmHead.get(i)) != 0) {
          throw new BadInputException(source + ": " + LM_HEAD + " differs from " + WTE + " at element " + i
              + "; Spindle's GPT ties them");
        }
      }
    }
    return p;
  }
}
