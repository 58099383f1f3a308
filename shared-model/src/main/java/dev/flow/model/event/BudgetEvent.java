package dev.flow.model.event;

/** Budget alerts; key project. Topic {@value Topics#BUDGET_ALERTS}. */
public sealed interface BudgetEvent extends FlowEvent permits BudgetThresholdCrossed, BudgetExhausted {

    @Override
    default String topic() {
        return Topics.BUDGET_ALERTS;
    }
}
