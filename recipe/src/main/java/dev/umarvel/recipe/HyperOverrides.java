package dev.umarvel.recipe;

/**
 * The hyper-parameters a caller set, by name; one never set (null) takes the kind's and preset's default in
 * {@link Hyper#resolve}. Setters return this, so a call site reads {@code HyperOverrides.none().maxSteps(6).loraRank(8)};
 * {@link #copy} a shared one before changing it. Each field is documented on {@link Hyper}.
 */
public final class HyperOverrides {

    private Double learningRate;
    private Integer batchSize;
    private Integer referenceBatchSize;
    private Hyper.LrScaling lrScaling;
    private Double epochs;
    private Long maxSteps;
    private Double warmupRatio;
    private Double weightDecay;
    private Double gradClip;
    private Hyper.Trainable trainable;
    private Integer loraRank;
    private Double loraAlpha;
    private Double loraDropout;
    private Double temperatureInit;
    private Boolean learnableTemperature;
    private Boolean bidirectionalLoss;
    private Integer hardNegatives;
    private Boolean hardNegativesOnly;
    private Long checkpointEvery;
    private Long evalEvery;
    private Boolean mergeLora;
    private Boolean taskBatches;
    private Boolean imageViews;
    private Boolean textViews;
    private Hyper.RerankerLoss rerankerLoss;

    public static HyperOverrides none() {
        return new HyperOverrides();
    }

    public HyperOverrides copy() {
        HyperOverrides c = new HyperOverrides();
        c.learningRate = learningRate;
        c.batchSize = batchSize;
        c.referenceBatchSize = referenceBatchSize;
        c.lrScaling = lrScaling;
        c.epochs = epochs;
        c.maxSteps = maxSteps;
        c.warmupRatio = warmupRatio;
        c.weightDecay = weightDecay;
        c.gradClip = gradClip;
        c.trainable = trainable;
        c.loraRank = loraRank;
        c.loraAlpha = loraAlpha;
        c.loraDropout = loraDropout;
        c.temperatureInit = temperatureInit;
        c.learnableTemperature = learnableTemperature;
        c.bidirectionalLoss = bidirectionalLoss;
        c.hardNegatives = hardNegatives;
        c.hardNegativesOnly = hardNegativesOnly;
        c.checkpointEvery = checkpointEvery;
        c.evalEvery = evalEvery;
        c.mergeLora = mergeLora;
        c.taskBatches = taskBatches;
        c.imageViews = imageViews;
        c.textViews = textViews;
        c.rerankerLoss = rerankerLoss;
        return c;
    }

    // accessors, then setters, in the order of the fields

    public Double learningRate() { return learningRate; }
    public Integer batchSize() { return batchSize; }
    public Integer referenceBatchSize() { return referenceBatchSize; }
    public Hyper.LrScaling lrScaling() { return lrScaling; }
    public Double epochs() { return epochs; }
    public Long maxSteps() { return maxSteps; }
    public Double warmupRatio() { return warmupRatio; }
    public Double weightDecay() { return weightDecay; }
    public Double gradClip() { return gradClip; }
    public Hyper.Trainable trainable() { return trainable; }
    public Integer loraRank() { return loraRank; }
    public Double loraAlpha() { return loraAlpha; }
    public Double loraDropout() { return loraDropout; }
    public Double temperatureInit() { return temperatureInit; }
    public Boolean learnableTemperature() { return learnableTemperature; }
    public Boolean bidirectionalLoss() { return bidirectionalLoss; }
    public Integer hardNegatives() { return hardNegatives; }
    public Boolean hardNegativesOnly() { return hardNegativesOnly; }
    public Long checkpointEvery() { return checkpointEvery; }
    public Long evalEvery() { return evalEvery; }
    public Boolean mergeLora() { return mergeLora; }
    public Boolean taskBatches() { return taskBatches; }
    public Boolean imageViews() { return imageViews; }
    public Boolean textViews() { return textViews; }
    public Hyper.RerankerLoss rerankerLoss() { return rerankerLoss; }

    public HyperOverrides learningRate(Double value) { learningRate = value; return this; }
    public HyperOverrides batchSize(Integer value) { batchSize = value; return this; }
    public HyperOverrides referenceBatchSize(Integer value) { referenceBatchSize = value; return this; }
    public HyperOverrides lrScaling(Hyper.LrScaling value) { lrScaling = value; return this; }
    public HyperOverrides epochs(Double value) { epochs = value; return this; }
    public HyperOverrides maxSteps(Long value) { maxSteps = value; return this; }
    public HyperOverrides warmupRatio(Double value) { warmupRatio = value; return this; }
    public HyperOverrides weightDecay(Double value) { weightDecay = value; return this; }
    public HyperOverrides gradClip(Double value) { gradClip = value; return this; }
    public HyperOverrides trainable(Hyper.Trainable value) { trainable = value; return this; }
    public HyperOverrides loraRank(Integer value) { loraRank = value; return this; }
    public HyperOverrides loraAlpha(Double value) { loraAlpha = value; return this; }
    public HyperOverrides loraDropout(Double value) { loraDropout = value; return this; }
    public HyperOverrides temperatureInit(Double value) { temperatureInit = value; return this; }
    public HyperOverrides learnableTemperature(Boolean value) { learnableTemperature = value; return this; }
    public HyperOverrides bidirectionalLoss(Boolean value) { bidirectionalLoss = value; return this; }
    public HyperOverrides hardNegatives(Integer value) { hardNegatives = value; return this; }
    public HyperOverrides hardNegativesOnly(Boolean value) { hardNegativesOnly = value; return this; }
    public HyperOverrides checkpointEvery(Long value) { checkpointEvery = value; return this; }
    public HyperOverrides evalEvery(Long value) { evalEvery = value; return this; }
    public HyperOverrides mergeLora(Boolean value) { mergeLora = value; return this; }
    public HyperOverrides taskBatches(Boolean value) { taskBatches = value; return this; }
    public HyperOverrides imageViews(Boolean value) { imageViews = value; return this; }
    public HyperOverrides textViews(Boolean value) { textViews = value; return this; }
    public HyperOverrides rerankerLoss(Hyper.RerankerLoss value) { rerankerLoss = value; return this; }
}
