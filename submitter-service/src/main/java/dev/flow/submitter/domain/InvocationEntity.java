package dev.flow.submitter.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One invocation (table {@code submitter.invocation}): the task that runs it and, once read back, its outcome. */
@Entity
@Table(name = "invocation")
public class InvocationEntity {

    @Id
    public String id;

    @Column(name = "task_id", nullable = false, unique = true)
    public String taskId;

    @Column(nullable = false)
    public String project;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "module_name", nullable = false)
    public String moduleName;

    @Column(name = "function_name", nullable = false)
    public String functionName;

    /** Null until the runner's result line was read; then {@code succeeded} or {@code failed}. */
    public String outcome;

    /** The function's return value as JSON text (when it succeeded). */
    @Column(name = "result_json")
    public String resultJson;

    /** {@code {"type","message","traceback"}} as JSON text (when it failed). */
    @Column(name = "error_json")
    public String errorJson;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
