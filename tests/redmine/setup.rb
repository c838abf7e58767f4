# setup.rb — run once per template by redmine_ctl.sh (`rails runner`) after migrations and the default
# data (en): enables REST, creates project `shop`, the text custom field `fingerprint` ("used as a
# filter", NOT for all projects — the member's /projects/shop.json lists only project-enabled fields),
# the non-admin member `shopwatch` (Developer), and the workflow transitions the sink needs. Prints
# KEY=VALUE lines redmine_ctl.sh caches beside the template database.
Setting.rest_api_enabled = '1'
Setting.default_projects_tracker_ids = []

project = Project.new(name: 'Shop', identifier: 'shop', is_public: false)
project.trackers = Tracker.all
project.enabled_module_names = ['issue_tracking']
project.save!

cf = IssueCustomField.new(name: 'fingerprint', field_format: 'string', is_filter: true, searchable: true,
                          is_for_all: false, visible: true, is_required: false)
cf.trackers = Tracker.all
cf.save!
project.issue_custom_fields << cf
project.save!

user = User.new(firstname: 'Shop', lastname: 'Watch', mail: 'shopwatch@example.invalid', language: 'en')
user.login = 'shopwatch'
user.password = 'shopwatch-pass-1'
user.admin = false
user.status = User::STATUS_ACTIVE
user.save!
developer = Role.find_by_name('Developer') || raise('default data has no Developer role')
Member.create!(principal: user, project: project, roles: [developer])

# Default data lets a Developer move any open status to Closed, but not back: add Closed -> New
# (the sink's reopen) for every tracker.
new_status = IssueStatus.find_by_name!('New')
closed = IssueStatus.find_by_name!('Closed')
Tracker.all.each do |tracker|
  WorkflowTransition.find_or_create_by!(tracker_id: tracker.id, role_id: developer.id,
                                        old_status_id: closed.id, new_status_id: new_status.id)
  IssueStatus.where(is_closed: false).each do |from|
    next if WorkflowTransition.exists?(tracker_id: tracker.id, role_id: developer.id,
                                       old_status_id: from.id, new_status_id: closed.id)
    raise "default data no longer lets a Developer close a #{tracker.name} from #{from.name}"
  end
end

admin = User.find_by_login('admin') || raise('default data has no admin')
admin.must_change_passwd = false
admin.save!

puts "API_KEY=#{user.api_key}"
puts "ADMIN_KEY=#{admin.api_key}"
puts "FIELD_ID=#{cf.id}"
puts "PROJECT=#{project.identifier}"
