package dev.flow.model.event;

/** Cost totals; key task id (project for project totals). Topic {@value Topics#COST_UPDATES}. */
public sealed interface CostEvent extends FlowEvent permits TaskCostUpdated, ProjectCostUpdated {

    @Override
    default String topic() {
        return Topics.COST_UPDATES;
    }
}
